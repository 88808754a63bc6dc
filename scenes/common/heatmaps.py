"""Values drawn as colours: attention heatmaps, their colour keys, and vectors as coloured strips.

* :class:`Heatmap`: attention weights with token labels on both axes and a colour key
* :func:`token_heatmap`: a Heatmap whose token labels stay readable however small its cells
* :func:`weight_legend` and :func:`value_legend`: the keys of the weight and the value colour maps
* :func:`head_strips`: vectors as strips of coloured cells, cut into one chunk per head
* :func:`contrast` and :func:`ink_on`: text that stays readable on any colour
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Rectangle, SurroundingRectangle, Text, VGroup

from .formats import fmt
from .layout import tex
from .palette import HEX, color, value_color, weight_color
from .text import MONO, fit, label, shorten, text_mob

LABEL_PITCH = 0.24  # the closest two 18-pt labels may sit, centre to centre, and stay legible


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
                t = Text(fmt(v, digits=digits), font=MONO, font_size=font_size,
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
        """The square of query ``i`` and key ``j``."""
        return self.squares[i * self.weights.shape[1] + j]


def token_heatmap(weights, tokens, cell: float, size: float = 18, stride: int | None = None,
                  rows: bool = True, cols: bool = True, legend: bool = True, max_chars: int = 10,
                  vmax: float | None = 1.0) -> Heatmap:
    """A Heatmap whose token labels stay at ``size`` points however small the cells are.

    When the cells are smaller than :data:`LABEL_PITCH`, only every ``stride``-th token is
    labelled (``hm.label_stride``; ``hm.labelled`` lists the indices). Query labels (rows)
    and key labels (columns) take the query and key colours. ``vmax`` is the Heatmap's colour
    scale (``None``: 0 to the largest weight shown)."""
    tokens = [str(t) for t in tokens]
    hm = Heatmap(weights, tokens, cell=cell, legend=legend, axis_titles=None, font_size=20, vmax=vmax)
    hm.remove(hm.row_label_mobs, hm.col_label_mobs)
    n_rows, n_cols = np.asarray(weights).shape
    stride = stride or max(1, math.ceil(LABEL_PITCH / cell - 1e-9))
    hm.label_stride = stride
    hm.labelled = list(range(0, max(n_rows, n_cols), stride))
    hm.row_label_mobs = VGroup(*[
        label(shorten(tokens[i], max_chars), size=size, role="query").next_to(hm.square(i, 0), LEFT, buff=0.1)
        for i in hm.labelled if i < n_rows]) if rows else VGroup()
    hm.col_label_mobs = VGroup(*[
        label(shorten(tokens[j], max_chars), size=size, role="key").rotate(math.pi / 2)
        .next_to(hm.square(0, j), UP, buff=0.1) for j in hm.labelled if j < n_cols]) if cols else VGroup()
    hm.add(hm.row_label_mobs, hm.col_label_mobs)
    return hm


def stride_note(hm: Heatmap) -> str:
    """'every 2nd labelled' or '' when every token has its label."""
    s = hm.label_stride
    if s == 1:
        return ""
    return f"every {s}{'nd' if s == 2 else 'rd' if s == 3 else 'th'} labelled"


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
    hi = label("1" if vmax == 1.0 else fmt(vmax, digits=digits), size=size, role="muted")
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
                     for t, part in ((fmt(-vmax), bar[0]), ("0", bar), (fmt(vmax), bar[-1]))])
    head = label(title, size=size, role="muted").next_to(bar, UP, buff=0.1)
    return VGroup(bar, ticks, head)


def head_strips(vectors, names, roles, n_heads: int, h0: int | None, cell: float = 0.16,
                gap: float = 0.16) -> VGroup:
    """Each vector as a strip of coloured cells cut into ``n_heads`` chunks; chunk ``h0`` (if any) is outlined.

    Parameters
    ----------
    vectors, names, roles
        The vectors (one d-vector each), their names (LaTeX, beside each strip) and palette roles.
    n_heads
        Chunks per strip, each ``d / n_heads`` cells.
    h0
        The head to outline, or None for none (every head's name then in the accent colour).
    cell, gap
        The widest a cell may be (narrower when the strips would not fit), and the room between chunks.

    Returns
    -------
    VGroup
        One row per vector, then the heads' names under the last row, then a colour key for
        the shared scale (the largest magnitude), under the strips at the right.
    """
    d = len(vectors[0])
    dh = d // n_heads
    cell = min(cell, (11.0 - gap * (n_heads - 1)) / d)
    vmax = float(max(np.abs(v).max() for v in vectors))
    out = VGroup()
    for vec, name, role in zip(vectors, names, roles):
        chunks = VGroup()
        for h in range(n_heads):
            chunk = VGroup(*[Rectangle(width=cell, height=0.36, stroke_width=0, fill_color=value_color(v, vmax),
                                       fill_opacity=1).shift(RIGHT * k * cell)
                             for k, v in enumerate(vec[h * dh:(h + 1) * dh])])
            chunks.add(chunk)
        chunks.arrange(RIGHT, buff=gap)
        row = VGroup(tex(name, 36, role).next_to(chunks, LEFT, buff=0.3), chunks)
        if h0 is not None:
            row.add(SurroundingRectangle(chunks[h0], color=color("accent"), buff=0.04, stroke_width=3))
        out.add(row)
    out.arrange(DOWN, buff=0.3, aligned_edge=RIGHT)
    names_h = VGroup(*[label(f"head {h + 1}", size=20, role="accent" if h0 is None or h == h0 else "muted")
                       .next_to(out[-1][1][h], DOWN, buff=0.2) for h in range(n_heads)])
    out.add(names_h)
    key = value_legend(vmax, width=2.2, size=18, title="colour: value of each entry")
    out.add(key.next_to(names_h, DOWN, buff=0.25).align_to(out[-2][1], RIGHT))
    return out


__all__ = ["LABEL_PITCH", "Heatmap", "token_heatmap", "stride_note", "luminance", "contrast", "ink_on",
           "weight_legend", "value_legend", "head_strips"]
