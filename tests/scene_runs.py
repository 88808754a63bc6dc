"""Run a chapter under manim's dry run and keep what it showed, for the scene tests.

The ``scene_run`` fixture (conftest.py) calls :func:`run_chapter` once per chapter per test
session. The returned scene carries:

- ``family``: every mobject it put on stage (as added, and as it was at the end), without repeats;
- ``texts``: the strings of all those Texts;
- ``problems``: ("small", what) for text drawn below font size 18 and ("outside", what) for
  text outside the content area, checked on stage after every animation;
- ``duration`` (seconds of video) and ``captions`` (the subcaptions, in order).
"""
from __future__ import annotations

import importlib

import numpy as np
from manim import Code, MathTex, Text, tempconfig

from scenes.common import ValueMatrix

MIN_FONT = 17.5  # the floor is 18; allow rounding in manim's height-based font_size
CONTENT = (-7.1, 7.1, -2.95, 2.95)  # x and y limits for everything but the caption and the heading


def run_chapter(stem: str, cls_name: str, media_dir, voice=None):
    """Render ``scenes.<stem>.<cls_name>`` with ``dry_run`` and ``skip_animations``: no frame is
    drawn, but every animation begins and ends, and the clock advances as in the video.
    ``voice`` is a voice manifest (``scripts/voice.py``) to speak the lines with, or None."""
    base = getattr(importlib.import_module(f"scenes.{stem}"), cls_name)

    class Recorded(base):
        def setup(self):
            super().setup()
            self.seen, self.tops, self.frame_ids, self.problems, self.headings = [], [], set(), set(), set()

        def add(self, *mobjects):
            self.tops.extend(mobjects)
            self.seen.extend(m for top in mobjects for m in top.get_family())  # as they are when added
            return super().add(*mobjects)

        def replace(self, old, new):  # how a ReplacementTransform puts its target on stage
            self.seen.extend(new.get_family())
            return super().replace(old, new)

        def make_caption(self, text):
            mob = super().make_caption(text)
            self.frame_ids |= {id(m) for m in mob.get_family()}
            return mob

        def set_heading(self, text):
            self.headings.add(text)  # before it is shown: the heading fades in inside set_heading
            super().set_heading(text)
            self.frame_ids |= {id(m) for m in self.heading.get_family()}

        def play(self, *args, **kwargs):
            super().play(*args, **kwargs)
            self.problems |= layout_problems(self.mobjects, self.frame_ids, self.headings)

    import os

    before = os.environ.pop("ATTENTION_VOICE", None)
    if voice:
        os.environ["ATTENTION_VOICE"] = str(voice)
    try:
        with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True,
                         "media_dir": str(media_dir), "write_to_movie": False}):
            scene = Recorded(skip_animations=True)
            scene.render()
    finally:
        os.environ.pop("ATTENTION_VOICE", None)
        if before is not None:
            os.environ["ATTENTION_VOICE"] = before
    seen_ids, family = set(), []
    for m in scene.seen + [m for top in scene.tops for m in top.get_family()]:  # as added, then as at the end
        if id(m) not in seen_ids:
            seen_ids.add(id(m))
            family.append(m)
    scene.family = family
    scene.texts = {m.original_text for m in family if isinstance(m, Text)}
    scene.duration = scene.renderer.time
    scene.captions = [s.content for s in scene.renderer.file_writer.subcaptions]
    return scene


def layout_problems(mobjects, frame_ids, headings=()) -> set[tuple[str, str]]:
    """Text on stage now that is drawn below font size 18, or lies outside the content area."""
    out = set()
    x0, x1, y0, y1 = CONTENT
    for top in mobjects:
        for m in top.get_family():
            if isinstance(m, Text):
                name, size = m.original_text, drawn_size(m)
            elif isinstance(m, MathTex):
                name, size = m.tex_string, m.font_size
            elif isinstance(m, Code) and hasattr(m, "font_px"):
                name, size = m.source, m.font_px * m.width / m.width0
            else:
                continue
            if m.width > 0 and size < MIN_FONT:
                out.add(("small", f"{name!r} at {size:.1f}"))
            framing = id(m) in frame_ids or getattr(m, "original_text", None) in headings
            if not framing and (m.get_left()[0] < x0 or m.get_right()[0] > x1
                                or m.get_bottom()[1] < y0 or m.get_top()[1] > y1):
                out.add(("outside", repr(name)))
    return out


_FRESH: dict = {}


def drawn_size(t: Text) -> float:
    """The font size a Text is drawn at, also when it was rotated by 90 degrees."""
    key = (t.original_text, t.font, t._font_size)
    if key not in _FRESH:
        fresh = Text(t.original_text, font=t.font, font_size=t._font_size)
        _FRESH[key] = max(fresh.width, fresh.height)
    if _FRESH[key] == 0:  # an empty or all-space Text draws nothing
        return t._font_size
    return t._font_size * max(t.width, t.height) / _FRESH[key]


def of_type(scene, cls) -> list:
    return [m for m in scene.family if isinstance(m, cls)]


def matrices_equal_to(scene, array) -> list[ValueMatrix]:
    array = np.atleast_2d(np.asarray(array, dtype=float))
    return [m for m in of_type(scene, ValueMatrix) if m.array.shape == array.shape and np.allclose(m.array, array)]


def row_labels(vm) -> list[str]:
    return [t.original_text for t in vm.row_label_mobs]


def text_problems(scene) -> tuple[list[str], list[str]]:
    """(too small, outside the content area), each sorted."""
    small = sorted(p for kind, p in scene.problems if kind == "small")
    outside = sorted(p for kind, p in scene.problems if kind == "outside")
    return small, outside


def chapter_fixture(name: str, cls_name: str):
    """A module fixture ``name`` giving the chapter ``cls_name`` as run by the session's ``scene_run``."""
    import pytest

    @pytest.fixture(name=name, scope="module")
    def chapter(scene_run):
        return scene_run(cls_name)

    return chapter


def glyph_baselines(line) -> list[float]:
    """For each Text of a line that has letters or digits without a descender, where they stand:
    the median of their bottoms (round letters dip a little below the line)."""
    import numpy as np

    out = []
    for t in line:
        chars = [c for c in t.original_text if not c.isspace()]
        assert len(chars) == len(t.submobjects)
        bottoms = [g.get_bottom()[1] for g, c in zip(t.submobjects, chars) if c.isalnum() and c not in "gjpqy"]
        if bottoms:
            out.append(float(np.median(bottoms)))
    return out
