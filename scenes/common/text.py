"""Text in the project's fonts: safe with any string, cut to length, scaled to fit.

* :func:`label`: a Text in the project's font and a palette colour (built on :func:`text_mob`,
  which always draws something for a string that is not blank)
* :func:`shorten`: a token cut to a few characters, with an ellipsis
* :func:`fit`: scale a mobject down into a box
* :func:`shape_tag`: an array's shape, ``1 × 5 × 64``
* :func:`stack_lines`: centred lines, one label each

Lines of text that share a baseline (paragraphs, tables, labels in a row) are in
:mod:`scenes.common.typeset`; numbers are written by :func:`scenes.common.formats.fmt`.
"""
from __future__ import annotations

import unicodedata

from manim import DOWN, Text, VGroup, VMobject

from .formats import fmt
from .palette import color

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
ELLIPSIS = "…"
LRM = "\u200e"  # left-to-right mark: invisible, zero width


def drawable(text: str) -> str:
    """``text`` with what Pango cannot draw taken out: lone surrogates become U+FFFD, and
    format characters (category Cf, such as U+FEFF or U+202E, which draw nothing themselves
    and can make a whole line come out empty) are left out.

    Assets exported by ``model`` hold neither (``model.tokenize.clean_review``); this keeps
    the scenes safe with any asset.
    """
    if text.isascii():
        return text
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text
                   if unicodedata.category(c) != "Cf")


def code_points(text: str) -> str:
    """A visible name for a string that draws nothing: its first non-space code point, such as
    ``U+FE0F``, and an ellipsis when more characters follow."""
    chars = [c for c in text if not c.isspace()] or [" "]
    return f"U+{ord(chars[0]):04X}" + (ELLIPSIS if len(chars) > 1 else "")


def shorten(token: str, max_chars: int = 12) -> str:
    """A token cut to ``max_chars`` characters, ending in an ellipsis when it was longer.

    The characters counted are those that draw (see :func:`drawable`); a token of which none
    would draw is named by its code point (:func:`code_points`)."""
    shown = drawable(token)
    token = (shown if shown.strip() or not token.strip() else code_points(token)).replace("\n", " ")
    return token if len(token) <= max_chars else token[: max_chars - 1] + ELLIPSIS


def ltr(text: str) -> str:
    """``text``, starting with a left-to-right mark if it holds right-to-left letters.

    Pango lays out a line that starts with Hebrew or Arabic from the right, and manim then
    finds no glyphs at all (an empty Text of zero size, which breaks layout); with the mark
    in front, the same letters come out, in their own order, on a line laid out from the left.
    """
    if text.startswith(LRM) or not any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return text
    return LRM + text


def text_mob(text: str, font: str = FONT, size: float = 28, **kw) -> Text:
    """A Text that always draws something for a string that is not blank.

    Parameters
    ----------
    text
        What to write. Characters that cannot be drawn are handled by :func:`drawable`, and
        right-to-left letters by :func:`ltr`.
    font, size, **kw
        Passed to manim's ``Text`` (``size`` as ``font_size``).

    Returns
    -------
    Text
        The text; or, when ``text`` has characters but Pango draws none of them (a token that
        is only a variation selector, say), a Text of its code point, such as ``U+FE0F``, so
        no zero-size Text ever reaches the layout. A blank ``text`` stays blank.
    """
    shown = drawable(text)
    mob = Text(ltr(shown), font=font, font_size=size, **kw)
    if text.strip() and (not mob.submobjects or mob.width == 0 or mob.height == 0):
        mob = Text(code_points(text), font=font, font_size=size, **kw)
    return mob


def label(text: str, size: float = 28, role: str = "text", mono: bool = False, **kw) -> Text:
    """Text in the project's font (or its monospace one) and the colour of ``role``; see :func:`text_mob`."""
    return text_mob(text, font=MONO if mono else FONT, size=size, color=color(role), **kw)


def shape_tag(*dims, size: float = 26, role: str = "muted") -> Text:
    """An array's shape as a monospaced label, ``1 × 5 × 64`` (the text is ``fmt(dims, "shape")``)."""
    return label(fmt(dims, "shape"), size=size, role=role, mono=True)


def fit(mob: VMobject, max_width: float, max_height: float | None = None) -> VMobject:
    """Scale ``mob`` down (never up) to fit the box; returns ``mob``."""
    if mob.width > max_width:
        mob.scale_to_fit_width(max_width)
    if max_height is not None and mob.height > max_height:
        mob.scale_to_fit_height(max_height)
    return mob


def stack_lines(*texts: str, size: float = 20, role: str = "text", mono: bool = False,
                buff: float = 0.08) -> VGroup:
    """Short lines of text, one label each, centred under one another ``buff`` apart."""
    return VGroup(*[label(t, size=size, role=role, mono=mono) for t in texts]).arrange(DOWN, buff=buff)


__all__ = ["FONT", "MONO", "ELLIPSIS", "LRM", "drawable", "code_points", "shorten", "ltr", "text_mob", "label",
           "shape_tag", "fit", "stack_lines"]
