"""Tokens on screen: boxes in a row, wrapped into lines, and links between them.

* :class:`TokenRow`: tokens in boxes, left to right, their words on one baseline
* :func:`wrap_rows`: any row of items laid out in lines (the one wrapper), and
  :func:`token_grid`: a TokenRow wrapped that way
* :class:`AttentionLinks`: arcs from tokens to tokens, as thick as their weights
* :func:`link_path`: a link between two tokens of a wrapped row that runs clear of every box
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import RIGHT, ArcBetweenPoints, Line, RoundedRectangle, Text, VGroup, VMobject

from .palette import color
from .text import ELLIPSIS, FONT, drawable, fit, shorten, text_mob
from .typeset import sit_on_baseline

_CAP_HEIGHTS: dict[float, float] = {}


def _cap_height(font_size: float) -> float:
    if font_size not in _CAP_HEIGHTS:
        _CAP_HEIGHTS[font_size] = Text("H", font=FONT, font_size=font_size).height
    return _CAP_HEIGHTS[font_size]


class TokenRow(VGroup):
    """Tokens in boxes, left to right. Roles colour special tokens: <pad> and <unk>.

    More than ``max_tokens`` tokens: the first ``max_tokens - 1`` and an ellipsis box.
    ``row.token(i)`` is token i's ``VGroup(box, text)``; ``row.boxes`` and ``row.texts``
    hold the boxes and the texts alone.
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
            sit_on_baseline(t, rect.get_y() - _cap_height(font_size) / 2, text=drawable(tok), strict=True)
            self.boxes.add(rect)
            self.texts.add(t)
            self.add(VGroup(rect, t))
        self.arrange(RIGHT, buff=buff)
        fit(self, max_width)

    def token(self, i: int) -> VGroup:
        """Token ``i``'s ``VGroup(box, text)``."""
        return self[i]


def _lines(widths, max_width: float, buff: float) -> list[list[int]]:
    """Greedy line breaking: indices of the items on each line."""
    lines, line, width = [], [], 0.0
    for k, w in enumerate(widths):
        extra = w + (buff if line else 0.0)
        if line and width + extra > max_width:
            lines.append(line)
            line, width, extra = [], 0.0, w
        line.append(k)
        width += extra
    return lines + [line] if line else lines


def wrap_rows(items: VGroup, max_width: float, buff: float = 0.08, line_buff: float = 0.16,
              balance: bool = True, centred: bool = True) -> VGroup:
    """Lay the submobjects of ``items`` out in lines no wider than ``max_width``, in order.

    Parameters
    ----------
    items
        A group of items (token boxes, columns); they keep their order, so ``TokenRow.token(i)``
        still works.
    max_width, buff, line_buff
        The widest a line may be, the room between items, and between lines.
    balance
        Make the lines about equally long (no lone item on the last line), in as few lines
        as the greedy breaking needs; else fill each line before the next.
    centred
        Centre each line; else start every line at the same left edge.

    Returns
    -------
    VGroup
        ``items``, centred on the origin, with ``items.lines`` the list of lines (lists of
        items, top to bottom). Lines are top-aligned, so boxes of one height stay in line.
    """
    mobs = list(items.submobjects)
    widths = [m.width for m in mobs]
    n_lines = len(_lines(widths, max_width, buff))
    if balance and n_lines > 1:
        lo, hi = max(widths), max_width
        for _ in range(30):  # the narrowest width that still needs only n_lines lines
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if len(_lines(widths, mid, buff)) <= n_lines else (mid, hi)
        max_width = hi
    lines = [[mobs[k] for k in line] for line in _lines(widths, max_width, buff)]
    top = 0.0
    for line in lines:
        total = sum(m.width for m in line) + buff * (len(line) - 1)
        x = -total / 2 if centred else 0.0
        for m in line:
            m.shift([x - m.get_left()[0], top - m.get_top()[1], 0])
            x += m.width + buff
        top -= max(m.height for m in line) + line_buff
    items.move_to([0, 0, 0])
    items.lines = lines
    return items


def token_grid(tokens, font_size: float = 24, max_width: float = 12.6, max_tokens: int = 40, roles=None,
               buff: float = 0.08, line_buff: float = 0.16, balance: bool = True, centred: bool = True) -> TokenRow:
    """A :class:`TokenRow` wrapped into lines by :func:`wrap_rows` (at most ``max_tokens`` boxes, ellipsis after).

    ``grid.token(i)`` is token i's box and text; ``grid.lines`` the lines of them.
    """
    row = TokenRow(tokens, font_size=font_size, max_tokens=max_tokens, max_width=1e9, buff=buff, roles=roles)
    return wrap_rows(row, max_width, buff=buff, line_buff=line_buff, balance=balance, centred=centred)


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


def rounded_path(points, radius: float = 0.1) -> VMobject:
    """A path through ``points`` (each leg horizontal or vertical) with its corners rounded."""
    pts = [np.asarray(p, dtype=float) for p in points]
    path = VMobject()
    path.start_new_path(pts[0])
    for prev, here, nxt in zip(pts, pts[1:], pts[2:]):
        d_in, d_out = here - prev, nxt - here
        l_in, l_out = np.linalg.norm(d_in), np.linalg.norm(d_out)
        if l_in < 1e-9 or l_out < 1e-9:
            continue
        d_in, d_out = d_in / l_in, d_out / l_out
        r = min(radius, l_in / 2, l_out / 2)
        a, c = here - d_in * r, here + d_out * r
        path.add_line_to(a)
        path.add_cubic_bezier_curve_to(a + d_in * r * 0.55, c - d_out * r * 0.55, c)
    path.add_line_to(pts[-1])
    return path


def link_path(review: VGroup, i: int, j: int, lane: int = 0, lanes: int = 1, pad: float = 0.03) -> VMobject:
    """A link from token ``i`` to token ``j`` of a wrapped row (:func:`token_grid`) that runs clear of every box.

    It leaves and enters the boxes ``pad`` off their edges (where their outlines are drawn) and
    travels in the gaps between lines: above the line for two tokens on one line, through the gap
    between two neighbouring lines, and past the left end of the lines in between otherwise (for
    rows wrapped with ``centred=False``, whose lines start on one edge). ``lane`` of ``lanes``
    shifts the path a little, so that links sharing a gap stay apart.
    """
    lines = review.lines
    line_of = {id(m): k for k, ln in enumerate(lines) for m in ln}
    a, c = review[i], review[j]
    la, lc = line_of[id(a)], line_of[id(c)]
    tops = [max(m.get_top()[1] for m in ln) for ln in lines]
    bottoms = [min(m.get_bottom()[1] for m in ln) for ln in lines]
    gaps = [bottoms[k - 1] - tops[k] for k in range(1, len(lines))]  # gaps[k - 1]: under line k - 1, over line k
    gap = min(gaps) if gaps else 0.3
    nudge = (lane - (lanes - 1) / 2) * min(0.08, gap / (2 * max(lanes, 1)))
    ax, cx = a.get_x() + nudge, c.get_x() + nudge
    if la == lc:  # over the line: up, across, down
        y = tops[la] + pad + gap / 2 + nudge
        pts = [[ax, a.get_top()[1] + pad, 0], [ax, y, 0], [cx, y, 0], [cx, c.get_top()[1] + pad, 0]]
    elif abs(la - lc) == 1:  # through the gap between the two lines
        up = lc < la
        y = (bottoms[min(la, lc)] + tops[max(la, lc)]) / 2 + nudge
        start = a.get_top()[1] + pad if up else a.get_bottom()[1] - pad
        end = c.get_bottom()[1] - pad if up else c.get_top()[1] + pad
        pts = [[ax, start, 0], [ax, y, 0], [cx, y, 0], [cx, end, 0]]
    else:  # past the left end of the lines in between
        up = lc < la
        side = min(m.get_left()[0] for ln in lines for m in ln) - 0.2 - nudge
        ya = tops[la] + gap / 2 if up else bottoms[la] - gap / 2
        yc = bottoms[lc] - gap / 2 if up else tops[lc] + gap / 2
        start = a.get_top()[1] + pad if up else a.get_bottom()[1] - pad
        end = c.get_bottom()[1] - pad if up else c.get_top()[1] + pad
        pts = [[ax, start, 0], [ax, ya + nudge, 0], [side, ya + nudge, 0], [side, yc + nudge, 0], [cx, yc + nudge, 0],
               [cx, end, 0]]
    return rounded_path(pts, radius=min(0.1, gap / 3))


__all__ = ["TokenRow", "wrap_rows", "token_grid", "AttentionLinks", "rounded_path", "link_path"]
