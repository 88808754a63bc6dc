"""Mobjects that change every frame, made cheap enough for 1080p60.

manim's ``always_redraw`` rebuilds its mobject each frame and then morphs the old one into
the new one with ``become``, which aligns their points; for a growing curve of hundreds of
points, or for text, that alignment costs more than drawing the frame (profiled with
``bench/profile_chapter.py``: about 100 ms a frame in the training chapter). :class:`Live`
copies the new points into the old parts instead, and :class:`MonoReadout` writes changing
text from glyphs shaped once, instead of asking Pango for a new Text every frame.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from manim import VGroup, VMobject

from .text import label


class Live(VGroup):
    """Holds what ``make()`` returns, made again on every frame and copied in point by point.

    ``make()`` must return the same structure each time (the same number of parts with
    points). The parts keep their identity, as manim's renderer expects: while a play
    runs, it keeps drawing the family members it found when the play began.
    """

    def __init__(self, make: Callable[[], VMobject]):
        super().__init__(make())
        self._make = make
        self.add_updater(lambda m: m._refresh())

    def _refresh(self) -> None:
        olds = self.family_members_with_points()
        news = self._make().family_members_with_points()
        if len(olds) != len(news):
            raise ValueError("Live: make() returned a different structure than before")
        for old, new in zip(olds, news):
            old.set_points(new.points)


class MonoReadout(VGroup):
    """One line of monospaced text whose content changes often, such as ``step 120: 0.41``.

    Every character of ``alphabet`` is shaped once, as a Text, in the project's monospace
    font; :meth:`show` copies those glyphs' outlines into a fixed row of ``capacity`` slots,
    one advance apart, so the result matches ``label(text, mono=True)`` for any text over
    the alphabet (up to where the whole line sits: position it after :meth:`show`). The
    slots keep their identity, as manim's renderer expects of anything that changes
    during a play. Characters outside the alphabet raise ``ValueError``.
    """

    def __init__(self, alphabet: str, size: float = 22, role: str = "text", capacity: int = 32):
        chars = "".join(sorted(set(alphabet) - {" "}))
        shaped = label(chars, size=size, role=role, mono=True)
        pair = label("00", size=size, role=role, mono=True)
        self.advance = float(pair[1].get_center()[0] - pair[0].get_center()[0])
        # each glyph's centre relative to the start of its own cell
        origin = shaped[0].get_center()
        self.glyphs = {c: (g, g.get_center() - origin - np.array([k * self.advance, 0, 0]))
                       for k, (c, g) in enumerate(zip(chars, shaped))}
        slots = [shaped[0].copy().clear_points() for _ in range(capacity)]
        super().__init__(*slots)
        self.text = ""

    def show(self, text: str) -> "MonoReadout":
        """Write ``text``, its first cell at the origin; position the readout afterwards."""
        unknown = set(text) - set(self.glyphs) - {" "}
        if unknown:
            raise ValueError(f"MonoReadout cannot write {''.join(sorted(unknown))!r}")
        if len(text) > len(self.submobjects):
            raise ValueError(f"MonoReadout holds {len(self.submobjects)} characters, not {len(text)}")
        for i, slot in enumerate(self.submobjects):
            c = text[i] if i < len(text) else " "
            if c == " ":
                slot.clear_points()
                continue
            glyph, offset = self.glyphs[c]
            target = offset + np.array([i * self.advance, 0, 0])
            slot.set_points(glyph.points + (target - glyph.get_center()))
        self.text = text
        return self
