"""Matrices of numbers: :class:`ValueMatrix` and what is drawn with it.

* :class:`ValueMatrix`: numbers in a grid, tinted by value, with brackets and ellipses when too big
* :func:`vmatrix`: a ValueMatrix with as many decimals as its values need
* :func:`col_labels`, :func:`place_like`, :func:`row_box`: labels above its columns, a matrix put
  exactly on another one's cells, an outline round one row
* :func:`output_pair`: two outputs side by side with their row labels outside, inside the frame
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Rectangle, SurroundingRectangle, Text, VGroup, VMobject

from .formats import digits_for, fmt
from .layout import titled
from .palette import color, value_color
from .text import ELLIPSIS, FONT, MONO, fit, label, shorten, text_mob

PAIR_X = 6.95  # output_pair keeps both matrices within |x| <= PAIR_X (the frame is 14.2 wide)
PAIR_GAP = 1.3  # the least room output_pair leaves between them, for the lines that link their rows


def _visible(n: int, limit: int) -> tuple[list[int], bool]:
    """Leading indices to draw, and whether an ellipsis follows them."""
    if n <= limit:
        return list(range(n)), False
    return list(range(limit)), True


class ValueMatrix(VGroup):
    """A matrix of numbers, each cell tinted by its value (diverging map), with brackets.

    Parameters
    ----------
    array
        1-D or 2-D array. Only the leading ``max_rows`` × ``max_cols`` entries are drawn;
        an ellipsis row/column stands for the rest, and :attr:`note_text` says how many are
        shown (:attr:`note_parts`: the same, one part per cut axis).
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
                num = Text(fmt(v, digits=digits), font=MONO, font_size=font_size, color=color("text"))
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
        self.brackets = _brackets(body)
        self.add(self.brackets)

        self.row_label_mobs = VGroup()
        if row_labels is not None:
            for r_i, r in enumerate(self.shown_rows):
                t = text_mob(shorten(str(row_labels[r]), label_chars), size=font_size, color=color(label_role))
                t.next_to(self.brackets[0], LEFT, buff=0.15)
                t.set_y(self.rows[r_i].get_y())
                self.row_label_mobs.add(t)
            self.add(self.row_label_mobs)

        self.note_parts = []
        if self.row_ellipsis:
            self.note_parts.append(f"first {len(self.shown_rows)} of {n_rows} rows")
        if self.col_ellipsis:
            self.note_parts.append(f"first {len(self.shown_cols)} of {n_cols} columns")
        self.note_text = ", ".join(self.note_parts)

    def note(self, size: float = 20) -> Text:
        """A label such as 'first 6 of 64 columns' (empty text when all is shown)."""
        return label(self.note_text or " ", size=size, role="muted")

    def row(self, i: int) -> VGroup:
        """The cells of shown row ``i``."""
        return self.rows[i]


def _brackets(body: VMobject) -> VGroup:
    """Square brackets round ``body``, a little taller than it."""
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


def vmatrix(array, **kwargs) -> ValueMatrix:
    """A ValueMatrix whose number of decimals suits the array's size (unless ``digits`` is given)."""
    kwargs.setdefault("digits", digits_for(array))
    return ValueMatrix(array, **kwargs)


def col_labels(vm: ValueMatrix, labels, size: float = 20, role: str = "token", max_chars: int = 10,
               buff: float = 0.06) -> VGroup:
    """Rotated labels above the shown columns of a ValueMatrix (like a Heatmap's), cut like its row labels.

    Each label is centred on its column and starts ``buff`` above the matrix's top edge (the top
    of its brackets, which reach above the cells), so no label touches the matrix. A matrix that replaces
    ``vm`` under these labels must have the same cells in the same place (see :func:`place_like`).
    """
    top = max(vm.brackets.get_top()[1], vm.cells.get_top()[1])
    out = VGroup()
    for c_i, c in enumerate(vm.shown_cols):
        t = label(shorten(str(labels[c]), max_chars), size=size, role=role).rotate(math.pi / 2)
        t.move_to([vm.rows[0][c_i].get_x(), top + buff + t.height / 2, 0])
        out.add(t)
    return out


def place_like(vm: ValueMatrix, ref: ValueMatrix) -> ValueMatrix:
    """Scale and move ``vm`` so that its cells sit exactly on those of ``ref`` (same shown shape and
    number format): what is drawn around ``ref`` (column labels, notes) then fits ``vm`` too."""
    vm.scale(ref.cells[0][0].width / vm.cells[0][0].width)
    vm.shift(ref.cells[0][0].get_center() - vm.cells[0][0].get_center())
    return vm


def row_box(vm: ValueMatrix, i: int, role: str = "accent") -> SurroundingRectangle:
    """An outline round shown row ``i`` of ``vm``."""
    return SurroundingRectangle(vm.rows[i], color=color(role), buff=0.04, stroke_width=3)


def output_pair(left_array, right_array, left_labels, right_labels, names, digits: Callable[[int], int], y: float,
                max_cols: int = 3):
    """Two outputs side by side (words in order, shuffled words), row labels on the outer sides, inside the frame.

    They sit at x = -3.7 and 3.7 when that fits; else closer together (never nearer than
    :data:`PAIR_GAP`), centred; and when even that is too wide (long labels, many decimals),
    with fewer columns. ``digits(n_cols)`` gives the decimals for that many columns.
    Returns ``(left, right, lg, rg)``: the two ValueMatrices and the two titled groups.
    """
    n, d = np.atleast_2d(left_array).shape
    for cols in range(max_cols, 0, -1):
        dg = digits(cols)
        left = vmatrix(left_array, max_rows=n, max_cols=cols, row_labels=left_labels, digits=dg)
        right = vmatrix(right_array, max_rows=n, max_cols=cols, row_labels=right_labels, digits=dg)
        for t in right.row_label_mobs:  # labels on the outer side, so the lines between stay clear
            ty = t.get_y()
            t.next_to(right.brackets[1], RIGHT, buff=0.15).set_y(ty)
        lg = titled(left, names[0], (n, d), "words in order")
        rg = titled(right, names[1], (n, d), "shuffled words", role="accent")
        lg.move_to([-3.7, y, 0])
        rg.move_to([3.7, y, 0]).align_to(lg, UP)
        if lg.get_left()[0] >= -PAIR_X and rg.get_right()[0] <= PAIR_X:
            break
        room = 2 * PAIR_X - lg.width - rg.width
        if room >= PAIR_GAP or cols == 1:
            gap = max(PAIR_GAP, min(room, rg.get_left()[0] - lg.get_right()[0]))
            rg.next_to(lg, RIGHT, buff=gap).align_to(lg, UP)
            pair = VGroup(lg, rg)
            fit(pair, 2 * PAIR_X).set_x(0)  # scales only in the last resort (one column left)
            break
    return left, right, lg, rg


__all__ = ["PAIR_X", "PAIR_GAP", "ValueMatrix", "vmatrix", "col_labels", "place_like", "row_box", "output_pair"]
