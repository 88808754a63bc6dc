"""Text set on baselines: words that line up whatever their letters, lines, paragraphs.

manim places a Text by its bounding box, so a word with a descender (``great``) or with
quotes rides higher than its neighbours when centres are aligned. Here the line the letters
stand on is found from the glyphs themselves:

* :func:`baseline` and :func:`sit_on_baseline`: the one baseline aligner
* :func:`text_line`: texts left to right on one baseline
* :func:`cut_lines` and :func:`paragraph`: a text wrapped into lines, one baseline apart
"""
from __future__ import annotations

import textwrap

import numpy as np
from manim import LEFT, RIGHT, UP, VGroup

from .text import ELLIPSIS, fit, label

DESCENDERS = frozenset("gjpqy,;()[]{}|/@$")  # what reaches below the line: never a clue to where it is
MARKS = frozenset(".,_…!?:;")  # marks without letters that still sit on the line (not centred on it)


def baseline(t, text: str | None = None, upper: bool = False) -> float | None:
    """The y of the line a Text's letters stand on, or None if it has no letter to tell by.

    Parameters
    ----------
    t
        A Text (anything else has no letters: None).
    text
        The characters ``t`` draws, if not its own text.
    upper
        Of two middle bottoms (an even number of letters), take the upper one instead of
        their mean (see :func:`sit_on_baseline`).

    Returns
    -------
    float or None
        The median bottom of its letters and digits that have no descender (not in
        :data:`DESCENDERS`); None when its glyphs do not match its characters one to one
        (ligatures) or no such letter is there.
    """
    chars = [c for c in (getattr(t, "original_text", "") if text is None else text) if not c.isspace()]
    if not chars or len(chars) != len(t.submobjects):
        return None
    bottoms = [g.get_bottom()[1] for g, c in zip(t.submobjects, chars) if c.isalnum() and c not in DESCENDERS]
    if not bottoms:
        return None
    return sorted(bottoms)[len(bottoms) // 2] if upper else float(np.median(bottoms))


def sit_on_baseline(t, baseline_y: float, text: str | None = None, strict: bool = False):
    """Move a Text up or down so that its letters stand on ``baseline_y``; returns ``t``.

    Parameters
    ----------
    t
        The Text. A Text that draws nothing (blank) is always left where it is.
    baseline_y
        Where the letters should stand.
    text
        The characters ``t`` draws, if not its own text.
    strict
        False (lines of text: paragraphs, table cells, captions): every text is placed. Its
        letters decide (of two middle bottoms the upper one, since round letters dip a little
        below the line); a text whose glyphs do not match its characters (ligatures) stands
        on its bottom, less a descender if it has one; dashes, arrows and other marks without
        a letter are centred half an x-height above the line, while dots and commas stand on it.
        True (words in boxes): only a text whose letters tell the line is moved (the mean of
        two middle bottoms); any other stays where it is, centred in its box.
    """
    if not t.submobjects or t.height == 0:
        return t
    if strict:
        y = baseline(t, text)
        return t if y is None else t.shift(UP * (baseline_y - y))
    chars = [c for c in (t.text if text is None else text) if not c.isspace()]
    size = t.font_size
    if not any(c.isalnum() for c in chars) and not all(c in MARKS for c in chars):
        return t.set_y(baseline_y + 0.17 * size / 48)
    y = baseline(t, "".join(chars), upper=True)
    if y is not None:
        return t.shift(UP * (baseline_y - y))
    depth = 0.12 * size / 48 if any(c in DESCENDERS for c in chars) else 0.0
    return t.shift(UP * (baseline_y - depth - t.get_bottom()[1]))


def text_line(*texts, buff: float = 0.12) -> VGroup:
    """Texts left to right on one baseline (``arrange`` would line up their centres, and a word with
    quotes or a descender, such as “great”, would then sit higher than its neighbours).

    A part with no letter to tell its baseline by (an arrow, say) keeps its centre on the line's
    x-height middle."""
    line = VGroup(*texts).arrange(RIGHT, buff=buff)
    known = [(t, b) for t in line if (b := baseline(t)) is not None]
    if not known:
        return line
    y0 = known[0][1]
    for t, b in known:
        t.shift(UP * (y0 - b))
    middle = y0 + label("x", size=known[0][0].font_size).height / 2
    for t in line:
        if baseline(t) is None:
            t.set_y(middle)
    return line


def cut_lines(text: str, chars: int, max_lines: int) -> list[str]:
    """``text`` wrapped at ``chars`` characters, at most ``max_lines`` lines, the last one ending in … when cut."""
    return _cut_lines(text, chars, max_lines)[0]


def _cut_lines(text: str, chars: int, max_lines: int) -> tuple[list[str], bool]:
    lines = textwrap.wrap(" ".join(text.split()), width=chars)
    if len(lines) <= max_lines:
        return lines, False
    lines = lines[:max_lines]
    lines[-1] = lines[-1][: chars - 1].rstrip() + ELLIPSIS
    return lines, True


def _wrap_to_width(text: str, width: float, font_size: float, max_lines: int, role: str) -> tuple[list[str], bool]:
    """Words into lines no wider than ``width`` units as drawn; past ``max_lines``, the last ends in `` …``."""
    words, lines, line = text.split(), [], ""
    used = 0
    for word in words:
        trial = f"{line} {word}".strip()
        if line and label(trial, size=font_size, role=role).width > width:
            lines.append(line)
            line = word
            if len(lines) == max_lines:
                break
        else:
            line = trial
        used += 1
    if len(lines) < max_lines and line:
        lines.append(line)
    if used < len(words):  # more text than room: end the last line in an ellipsis
        last = lines[-1]
        while " " in last and label(f"{last} {ELLIPSIS}", size=font_size).width > width:
            last = last.rsplit(" ", 1)[0]
        lines[-1] = f"{last} {ELLIPSIS}"
    return lines, used < len(words)


def paragraph(text: str, width: float | None = None, *, chars: int | None = None, font_size: float = 24,
              max_lines: int = 6, role: str = "text") -> VGroup:
    """``text`` as left-aligned lines, one baseline to the next whatever their letters.

    Parameters
    ----------
    text
        The text; runs of white space count as one space.
    width
        The widest a line may be, in scene units, as drawn (a single word wider than that is
        scaled down). Past ``max_lines`` the last line ends in `` …``.
    chars
        Instead of ``width``: the most characters a line may hold (:func:`cut_lines`), for a
        text column as wide as a number of letters. Past ``max_lines`` the last line ends in ``…``.
    font_size, max_lines, role
        The size, the most lines shown, and the palette role of the text.

    Returns
    -------
    VGroup
        One label per line, the first line's baseline at y = 0, left edges at x = 0;
        ``para.truncated`` says whether text was left out.
    """
    if (width is None) == (chars is None):
        raise ValueError("paragraph needs exactly one of width (units) and chars (characters)")
    if chars is None:
        lines, truncated = _wrap_to_width(text, width, font_size, max_lines, role)
        mobs = VGroup(*[fit(label(s, size=font_size, role=role), width) for s in lines])
    else:
        lines, truncated = _cut_lines(text, chars, max_lines)
        mobs = VGroup(*[label(s, size=font_size, role=role) for s in lines])
    pitch = 1.45 * label("Hxg", size=font_size).height  # one baseline to the next, whatever the letters
    for k, line in enumerate(mobs):
        line.move_to([0, 0, 0], aligned_edge=LEFT)
        sit_on_baseline(line, -k * pitch)
    mobs.truncated = truncated
    return mobs


__all__ = ["DESCENDERS", "MARKS", "baseline", "sit_on_baseline", "text_line", "cut_lines", "paragraph"]
