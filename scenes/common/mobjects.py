"""Data-driven mobjects. Each takes numpy arrays and strings, never file paths.

* :class:`ValueMatrix`: numbers in a grid, coloured by value, with ellipses when too big
* :class:`Heatmap`: attention weights with token labels on both axes and a colour key (0 to 1, or 0 to
  the largest weight shown)
* :class:`TokenRow`: a row of token boxes
* :class:`AttentionLinks`: lines between tokens, thicker for larger weights
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
from manim import (DOWN, LEFT, ORIGIN, RIGHT, UP, ArcBetweenPoints, Line, Rectangle, RoundedRectangle, Text,
                   VGroup, VMobject)

from .palette import HEX, color, value_color, weight_color

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
ELLIPSIS = "…"


# --- text ------------------------------------------------------------------------------

def fmt_number(v: float, digits: int = 2) -> str:
    """Fixed-point text for a value, with no negative zero: ``-0.001 -> '0.00'``."""
    text = f"{float(v):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


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


LRM = "\u200e"  # left-to-right mark: invisible, zero width


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
    """A shape written as ``1 × 5 × 64``."""
    return label(" × ".join(str(d) for d in dims), size=size, role=role, mono=True)


def fit(mob: VMobject, max_width: float, max_height: float | None = None) -> VMobject:
    """Scale ``mob`` down (never up) to fit the box."""
    if mob.width > max_width:
        mob.scale_to_fit_width(max_width)
    if max_height is not None and mob.height > max_height:
        mob.scale_to_fit_height(max_height)
    return mob


def _visible(n: int, limit: int) -> tuple[list[int], bool]:
    """Leading indices to draw, and whether an ellipsis follows them."""
    if n <= limit:
        return list(range(n)), False
    return list(range(limit)), True


# --- matrices -------------------------------------------------------------------------------

class ValueMatrix(VGroup):
    """A matrix of numbers, each cell tinted by its value (diverging map), with brackets.

    Parameters
    ----------
    array
        1-D or 2-D array. Only the leading ``max_rows`` × ``max_cols`` entries are drawn;
        an ellipsis row/column stands for the rest, and :attr:`note` says how many are shown.
    row_labels
        Optional text beside each row (tokens, say), cut to ``label_chars`` characters with an ellipsis.
    vmax
        Value that reaches the ends of the colour map; default: the largest magnitude shown.
    """

    def __init__(self, array, max_rows: int = 6, max_cols: int = 6, digits: int = 2,
                 row_labels: Sequence[str] | None = None, vmax: float | None = None,
                 font_size: float = 20, cell_width: float | None = None, cell_height: float = 0.42,
                 tint: bool = True, label_role: str = "token", label_chars: int = 10, **kwargs):
        super().__init__(**kwargs)
        arr = np.atleast_2d(np.asarray(array, dtype=float))
        self.array, self.digits = arr, digits
        n_rows, n_cols = arr.shape
        self.shown_rows, self.row_ellipsis = _visible(n_rows, max_rows)
        self.shown_cols, self.col_ellipsis = _visible(n_cols, max_cols)
        shown = arr[np.ix_(self.shown_rows, self.shown_cols)]
        vmax = float(np.abs(shown).max()) if vmax is None else vmax
        width = cell_width or (0.3 + 0.15 * (digits + 3)) * font_size / 20
        height = cell_height * font_size / 20

        self.cells = VGroup()  # one VGroup(rect, number) per shown entry, row-major
        self.rows = VGroup()
        for r_i, r in enumerate(self.shown_rows):
            row = VGroup()
            for c_i, c in enumerate(self.shown_cols):
                v = arr[r, c]
                rect = Rectangle(width=width, height=height, stroke_width=0,
                                 fill_color=value_color(v, vmax) if tint else color("panel"), fill_opacity=0.9)
                rect.move_to(RIGHT * c_i * width + DOWN * r_i * height)
                num = Text(fmt_number(v, digits), font=MONO, font_size=font_size, color=color("text"))
                fit(num, width * 0.92)
                num.move_to(rect)
                cell = VGroup(rect, num)
                row.add(cell)
                self.cells.add(cell)
            self.rows.add(row)
        self.add(self.cells)

        self.ellipses = VGroup()
        if self.col_ellipsis:
            for r_i in range(len(self.shown_rows)):
                dots = Text(ELLIPSIS, font=FONT, font_size=font_size, color=color("muted"))
                dots.move_to(RIGHT * len(self.shown_cols) * width + DOWN * r_i * height)
                self.ellipses.add(dots)
        if self.row_ellipsis:
            for c_i in range(len(self.shown_cols)):
                dots = Text("⋮", font=FONT, font_size=font_size, color=color("muted"))
                dots.move_to(RIGHT * c_i * width + DOWN * len(self.shown_rows) * height)
                self.ellipses.add(dots)
        self.add(self.ellipses)

        body = VGroup(self.cells, self.ellipses)
        self.brackets = _brackets(body, height)
        self.add(self.brackets)

        self.row_label_mobs = VGroup()
        if row_labels is not None:
            for r_i, r in enumerate(self.shown_rows):
                t = text_mob(shorten(str(row_labels[r]), label_chars), size=font_size, color=color(label_role))
                t.next_to(self.brackets[0], LEFT, buff=0.15)
                t.set_y(self.rows[r_i].get_y())
                self.row_label_mobs.add(t)
            self.add(self.row_label_mobs)

        parts = []
        if self.row_ellipsis:
            parts.append(f"first {len(self.shown_rows)} of {n_rows} rows")
        if self.col_ellipsis:
            parts.append(f"first {len(self.shown_cols)} of {n_cols} columns")
        self.note_text = ", ".join(parts)

    def note(self, size: float = 20) -> Text:
        """A label such as 'first 6 of 64 columns' (empty text when all is shown)."""
        return label(self.note_text or " ", size=size, role="muted")

    def row(self, i: int) -> VGroup:
        return self.rows[i]


def _brackets(body: VMobject, pad: float) -> VGroup:
    h = body.height + 0.16
    left = body.get_left() + LEFT * 0.08
    right = body.get_right() + RIGHT * 0.08
    tick = 0.12
    style = dict(stroke_color=color("muted"), stroke_width=2.5)
    lb = VMobject(**style).set_points_as_corners([
        left + UP * h / 2 + RIGHT * tick, left + UP * h / 2, left + DOWN * h / 2, left + DOWN * h / 2 + RIGHT * tick])
    rb = VMobject(**style).set_points_as_corners([
        right + UP * h / 2 + LEFT * tick, right + UP * h / 2, right + DOWN * h / 2, right + DOWN * h / 2 + LEFT * tick])
    return VGroup(lb, rb)


# --- heatmap --------------------------------------------------------------------------------

class Heatmap(VGroup):
    """Attention weights as coloured squares, tokens on both axes, and a colour key.

    Row ``i`` is the query token, column ``j`` the key token; a row sums to 1.

    Parameters
    ----------
    vmax
        The weight that gets the brightest colour. The default 1.0 is the fixed 0-to-1 scale.
        ``None``: the largest weight shown, so that weights which are all small (a long review
        spreads its weight thin) still differ in colour; the key then runs from 0 to that real
        maximum, written like the weights (``digits``). Pass one number to several heatmaps to
        keep their colours comparable. :attr:`vmax` is the scale used.
    """

    def __init__(self, weights, row_labels: Sequence[str], col_labels: Sequence[str] | None = None,
                 cell: float = 0.5, show_values: bool = False, digits: int = 2, legend: bool = True,
                 font_size: float = 20, axis_titles: tuple[str, str] | None = ("attends to (key)", "token (query)"),
                 vmax: float | None = 1.0, **kwargs):
        super().__init__(**kwargs)
        w = np.asarray(weights, dtype=float)
        if w.ndim != 2:
            raise ValueError("Heatmap needs a 2-D array")
        col_labels = row_labels if col_labels is None else col_labels
        if len(row_labels) != w.shape[0] or len(col_labels) != w.shape[1]:
            raise ValueError("Heatmap labels do not match the array's shape")
        self.weights = w
        vmax = float(w.max()) if vmax is None and w.size else 1.0 if vmax is None else float(vmax)
        self.vmax = vmax if vmax > 0 else 1.0  # all zeros: the 0-to-1 scale
        self.digits = digits
        self.squares = VGroup()
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                sq = Rectangle(width=cell, height=cell, stroke_color=HEX["background"], stroke_width=1,
                               fill_color=weight_color(w[i, j] / self.vmax), fill_opacity=1.0)
                sq.move_to(RIGHT * j * cell + DOWN * i * cell)
                self.squares.add(sq)
        self.add(self.squares)
        self.values = VGroup()
        if show_values:
            for k, sq in enumerate(self.squares):
                v = w.flat[k]
                t = Text(fmt_number(v, digits), font=MONO, font_size=font_size,
                         color=ink_on(weight_color(v / self.vmax)))
                fit(t, cell * 0.8).move_to(sq)
                self.values.add(t)
            self.add(self.values)

        lab_size = min(font_size, cell * 44)
        self.row_label_mobs = VGroup(*[
            text_mob(shorten(str(s)), size=lab_size, color=color("token")) for s in row_labels])
        for i, t in enumerate(self.row_label_mobs):
            t.next_to(self.squares[i * w.shape[1]], LEFT, buff=0.12)
        self.col_label_mobs = VGroup(*[
            text_mob(shorten(str(s)), size=lab_size, color=color("token")) for s in col_labels])
        for j, t in enumerate(self.col_label_mobs):
            t.rotate(np.pi / 2)
            t.next_to(self.squares[j], UP, buff=0.12)
        self.add(self.row_label_mobs, self.col_label_mobs)

        self.titles = VGroup()
        if axis_titles:
            top = label(axis_titles[0], size=font_size * 0.9, role="muted")
            top.next_to(self.col_label_mobs, UP, buff=0.15)
            side = label(axis_titles[1], size=font_size * 0.9, role="muted").rotate(np.pi / 2)
            side.next_to(self.row_label_mobs, LEFT, buff=0.15)
            self.titles.add(top, side)
            self.add(self.titles)

        self.legend = VGroup()
        if legend:
            self.legend = weight_legend(height=min(2.5, max(1.2, cell * w.shape[0])), size=font_size * 0.9,
                                        vmax=self.vmax, digits=digits)
            self.legend.next_to(self.squares, RIGHT, buff=0.3)
            self.add(self.legend)

    def square(self, i: int, j: int) -> Rectangle:
        return self.squares[i * self.weights.shape[1] + j]


def luminance(c) -> float:
    """Relative luminance of a colour (WCAG 2): 0 for black, 1 for white."""
    rgb = np.asarray(c.to_rgb(), dtype=float)
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ink_on(fill):
    """The text colour (light or dark) that reads best on ``fill``."""
    light, dark = color("text"), color("background")
    return light if contrast(light, fill) >= contrast(dark, fill) else dark


def weight_legend(height: float = 2.0, width: float = 0.22, steps: int = 24, size: float = 18,
                  vmax: float = 1.0, digits: int = 2) -> VGroup:
    """A vertical colour bar for weights, 0 at the bottom and ``vmax`` at the top.

    It matches squares coloured with ``weight_color(w / vmax)``. The top label is "1" on the
    0-to-1 scale, else the real ``vmax`` written with ``digits`` decimals.
    """
    bar = VGroup(*[
        Rectangle(width=width, height=height / steps, stroke_width=0, fill_color=weight_color(k / (steps - 1)),
                  fill_opacity=1.0).shift(UP * k * height / steps)
        for k in range(steps)])
    lo = label("0", size=size, role="muted").next_to(bar[0], RIGHT, buff=0.1)
    hi = label("1" if vmax == 1.0 else fmt_number(vmax, digits), size=size, role="muted")
    hi.next_to(bar[-1], RIGHT, buff=0.1)
    return VGroup(bar, lo, hi)


def value_legend(vmax: float, width: float = 2.4, height: float = 0.2, steps: int = 24, size: float = 18,
                 title: str = "value") -> VGroup:
    """A horizontal colour bar for signed values: ``-vmax`` at the left end, 0 in the middle, ``+vmax`` at the right.

    It matches cells coloured with ``value_color(v, vmax)``; the end labels are the real ``vmax``.
    """
    bar = VGroup(*[
        Rectangle(width=width / steps, height=height, stroke_width=0,
                  fill_color=value_color(-vmax + 2 * vmax * k / (steps - 1), vmax), fill_opacity=1.0)
        .shift(RIGHT * k * width / steps)
        for k in range(steps)])
    ticks = VGroup(*[label(t, size=size, role="muted", mono=True).next_to(part, DOWN, buff=0.1)
                     for t, part in ((fmt_number(-vmax), bar[0]), ("0", bar), (fmt_number(vmax), bar[-1]))])
    head = label(title, size=size, role="muted").next_to(bar, UP, buff=0.1)
    return VGroup(bar, ticks, head)


# --- tokens ---------------------------------------------------------------------------------

class TokenRow(VGroup):
    """Tokens in boxes, left to right. Roles colour special tokens: <pad> and <unk>.

    More than ``max_tokens`` tokens: the first ``max_tokens - 1`` and an ellipsis box.
    """

    def __init__(self, tokens: Sequence[str], font_size: float = 26, max_tokens: int = 40,
                 max_width: float = 13.0, buff: float = 0.08, box: bool = True, role: str = "token",
                 roles: Sequence[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        tokens = [str(t) for t in tokens]
        self.truncated = len(tokens) > max_tokens
        shown = tokens[: max_tokens - 1] + [ELLIPSIS] if self.truncated else tokens
        self.tokens = shown
        self.boxes = VGroup()
        self.texts = VGroup()
        for k, tok in enumerate(shown):
            r = roles[k] if roles is not None and k < len(roles) else (
                "pad" if tok == "<pad>" else "unk" if tok == "<unk>" else role)
            t = text_mob(shorten(tok), size=font_size, color=color(r))
            # a fixed height keeps every box in line, whatever the letters
            rect = RoundedRectangle(corner_radius=0.08, width=t.width + 0.2, height=font_size / 48 + 0.16,
                                    stroke_color=color(r), stroke_width=1.5 if box else 0,
                                    fill_color=color("panel"), fill_opacity=0.8 if box else 0)
            t.move_to(rect)
            _sit_on_baseline(t, drawable(tok), rect.get_y() - _cap_height(font_size) / 2)
            self.boxes.add(rect)
            self.texts.add(t)
            self.add(VGroup(rect, t))
        self.arrange(RIGHT, buff=buff)
        fit(self, max_width)

    def token(self, i: int) -> VGroup:
        return self[i]


_DESCENDERS = set("gjpqy,;()[]{}|/@$")
_CAP_HEIGHTS: dict[float, float] = {}


def _cap_height(font_size: float) -> float:
    if font_size not in _CAP_HEIGHTS:
        _CAP_HEIGHTS[font_size] = Text("H", font=FONT, font_size=font_size).height
    return _CAP_HEIGHTS[font_size]


def _sit_on_baseline(t: Text, text: str, baseline_y: float) -> None:
    """Move a Text up or down so that its letters stand on ``baseline_y`` (words in a row line up)."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) != len(t.submobjects):
        return
    bottoms = [g.get_bottom()[1] for g, c in zip(t.submobjects, chars) if c.isalnum() and c not in _DESCENDERS]
    if bottoms:
        t.shift(UP * (baseline_y - float(np.median(bottoms))))


class AttentionLinks(VGroup):
    """Arcs from one token to others, each as thick and as opaque as its weight.

    Parameters
    ----------
    starts, ends
        Points (one per row and one per column of ``weights``).
    weights
        (len(starts), len(ends)) array in [0, 1]; links under ``threshold`` are left out.
    """

    def __init__(self, starts, ends, weights, role: str = "accent", max_stroke: float = 12.0,
                 threshold: float = 0.05, arc: float = -0.8, **kwargs):
        super().__init__(**kwargs)
        w = np.atleast_2d(np.asarray(weights, dtype=float))
        self.pairs: list[tuple[int, int, float]] = []
        for i, p in enumerate(starts):
            for j, q in enumerate(ends):
                if w[i, j] < threshold or np.allclose(p, q):
                    continue
                link = ArcBetweenPoints(np.asarray(p), np.asarray(q), angle=arc) if arc else Line(p, q)
                link.set_stroke(color(role), width=max(1.0, max_stroke * w[i, j]), opacity=0.25 + 0.75 * w[i, j])
                self.add(link)
                self.pairs.append((i, j, float(w[i, j])))


def bar(value: float, width: float = 3.0, height: float = 0.3, role: str = "accent") -> VGroup:
    """A horizontal bar of ``value`` in [0, 1] inside a frame of ``width``."""
    frame = Rectangle(width=width, height=height, stroke_color=color("grid"), stroke_width=1.5)
    fill = Rectangle(width=max(1e-3, width * float(np.clip(value, 0, 1))), height=height, stroke_width=0,
                     fill_color=color(role), fill_opacity=0.9)
    fill.align_to(frame, LEFT)
    return VGroup(frame, fill)


__all__ = ["FONT", "MONO", "ELLIPSIS", "fmt_number", "drawable", "code_points", "shorten", "text_mob", "label",
           "shape_tag", "fit", "ValueMatrix", "Heatmap", "weight_legend", "value_legend", "TokenRow", "AttentionLinks",
           "bar", "ORIGIN"]
