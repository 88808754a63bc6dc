"""Layout helpers shared by the attention chapters (6 to 10): number formats that follow an
array's scale, titled matrices, token heatmaps whose labels stay readable, wrapped token rows,
lines of text on one baseline, links drawn between wrapped tokens, and code blocks read from
the project's own source.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Code, MathTex, SurroundingRectangle, VGroup, VMobject

from .mobjects import MONO, Heatmap, ValueMatrix, fmt_number, label, shape_tag, shorten
from .palette import color


def fmt_auto(v: float) -> str:
    """Readable text for a value of any size: 0.12, 0.0031, 3,437, 4.65e+05, 6.3e-06."""
    v = float(v)
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e5:
        return f"{v:.2e}"
    if a >= 1e3:
        return f"{v:,.0f}"
    if a >= 0.01:
        return fmt_number(v, 2)
    if a >= 1e-4:
        return f"{v:.4f}"
    return f"{v:.1e}"


def fmt_clean(v: float, digits: int = 2) -> str:
    """Like fmt_number, without trailing zeros: 8.00 -> '8', 6.93 -> '6.93'."""
    text = fmt_number(v, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def digits_for(arr) -> int:
    """Decimals that give the largest value of ``arr`` two or three significant figures (1 to 3)."""
    top = float(np.abs(np.asarray(arr, dtype=float)).max()) if np.size(arr) else 0.0
    if top == 0:
        return 2
    return int(np.clip(2 - math.floor(math.log10(top)), 1, 3))


def shared_digits(*arrays) -> int:
    """One number of decimals for matrices shown together: :func:`digits_for` of all their values,
    so that side by side their cells have one width and their brackets line up."""
    values = [np.ravel(np.asarray(a, dtype=float)) for a in arrays]
    return digits_for(np.concatenate(values) if values else np.zeros(0))


def vmatrix(array, **kwargs) -> ValueMatrix:
    """A ValueMatrix whose number of decimals suits the array's size (unless ``digits`` is given)."""
    kwargs.setdefault("digits", digits_for(array))
    return ValueMatrix(array, **kwargs)


def tex(s: str, size: float = 40, role: str = "text") -> MathTex:
    return MathTex(s, font_size=size, color=color(role))


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


def baseline(t) -> float | None:
    """The y of the line a Text's letters stand on, or None if it has no letter to tell by.

    Its letters and digits without a descender (not g, j, p, q, y) stand on the baseline; the
    median of their bottoms is taken.
    """
    chars = [c for c in getattr(t, "original_text", "") if not c.isspace()]
    if not chars or len(chars) != len(t.submobjects):
        return None
    bottoms = [g.get_bottom()[1] for g, c in zip(t.submobjects, chars) if c.isalnum() and c not in "gjpqy"]
    return float(np.median(bottoms)) if bottoms else None


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


def titled(mob, name: str, shape: tuple, note: str = "", role: str = "text", size: float = 40) -> VGroup:
    """``mob`` with a formula name above and its shape (and an optional note) below."""
    head = tex(name, size=size, role=role).next_to(mob, UP, buff=0.2)
    foot = VGroup(shape_tag(*shape, size=22))
    if note:
        foot.add(label(note, size=20, role="muted"))
    foot.arrange(DOWN, buff=0.08).next_to(mob, DOWN, buff=0.2)
    return VGroup(head, mob, foot)


def code_block(src: str, size: float = 22, comments_above: bool = True) -> Code:
    """Project source in a manim ``Code`` (monokai). With ``comments_above``, a trailing
    ``# comment`` moves to a line of its own above its code, so long lines fit the frame.
    ``code.font_px`` and ``code.width0`` let a test check the final text size."""
    lines = []
    for line in src.splitlines():
        code, sep, comment = line.partition("  # ")
        if comments_above and sep and code.strip():
            indent = code[: len(code) - len(code.lstrip())]
            lines += [f"{indent}# {comment}", code.rstrip()]
        else:
            lines.append(line)
    mob = Code(code_string="\n".join(lines), language="python", formatter_style="monokai", add_line_numbers=False,
               background="rectangle",
               background_config={"stroke_width": 0, "fill_color": color("panel"), "buff": 0.18},
               paragraph_config={"font": MONO, "font_size": size})
    mob.font_px, mob.width0, mob.source = size, mob.width, "\n".join(lines)
    return mob


def code_size(mob: Code) -> float:
    """The font size a ``code_block`` is drawn at now, after any scaling."""
    return mob.font_px * mob.width / mob.width0


LABEL_PITCH = 0.24  # the closest two 18-pt labels may sit, centre to centre, and stay legible


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


def wrap_tokens(tokens, width: float, font_size: float = 22, buff: float = 0.1, line_buff: float = 0.18,
                roles=None) -> VGroup:
    """The tokens as boxes in lines no wider than ``width``; ``group.boxes[i]`` is token i's box."""
    from scenes.common import TokenRow
    row = TokenRow(tokens, font_size=font_size, max_tokens=len(tokens) + 1, max_width=1e9, buff=buff, roles=roles)
    lines, line, used = [], [], 0.0
    for box in row:
        if line and used + buff + box.width > width:
            lines.append(line)
            line, used = [], 0.0
        used += box.width + (buff if line else 0)
        line.append(box)
    if line:
        lines.append(line)
    group = VGroup(*[VGroup(*ln).arrange(RIGHT, buff=buff) for ln in lines]).arrange(DOWN, buff=line_buff,
                                                                                     aligned_edge=LEFT)
    group.boxes = list(row)
    return group


def ring(mob, role: str = "accent", buff: float = 0.03, stroke_width: float = 3) -> VGroup:
    """An outline in the colour of ``role`` with a dark rim on both sides, so that it stands out on the
    bright squares of a heatmap as well as on the dark ones."""
    return VGroup(SurroundingRectangle(mob, color=color("background"), buff=buff, stroke_width=stroke_width + 4),
                  SurroundingRectangle(mob, color=color(role), buff=buff, stroke_width=stroke_width))


def row_box(vm: ValueMatrix, i: int, role: str = "accent") -> SurroundingRectangle:
    return SurroundingRectangle(vm.rows[i], color=color(role), buff=0.04, stroke_width=3)


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


def link_path(review, i: int, j: int, lane: int = 0, lanes: int = 1, pad: float = 0.03) -> VMobject:
    """A link from token box ``i`` to token box ``j`` of a wrapped review that runs clear of every box.

    It leaves and enters the boxes ``pad`` off their edges (where their outlines are drawn) and
    travels in the gaps between lines: above the line for two tokens on one line, through the gap
    between two neighbouring lines, and past the left end of the lines in between otherwise.
    ``lane`` of ``lanes`` shifts the path a little, so that links sharing a gap stay apart.
    """
    boxes = review.boxes
    line_of = {id(box): k for k, ln in enumerate(review) for box in ln}
    la, lc = line_of[id(boxes[i])], line_of[id(boxes[j])]
    a, c = boxes[i], boxes[j]
    tops = [ln.get_top()[1] for ln in review]
    bottoms = [ln.get_bottom()[1] for ln in review]
    gaps = [bottoms[k - 1] - tops[k] for k in range(1, len(review))]  # gaps[k - 1]: under line k - 1, over line k
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
    else:  # past the left end of the lines in between (the lines start on one edge)
        up = lc < la
        side = min(ln.get_left()[0] for ln in review) - 0.2 - nudge
        ya = tops[la] + gap / 2 if up else bottoms[la] - gap / 2
        yc = bottoms[lc] - gap / 2 if up else tops[lc] + gap / 2
        start = a.get_top()[1] + pad if up else a.get_bottom()[1] - pad
        end = c.get_bottom()[1] - pad if up else c.get_top()[1] + pad
        pts = [[ax, start, 0], [ax, ya + nudge, 0], [side, ya + nudge, 0], [side, yc + nudge, 0], [cx, yc + nudge, 0],
               [cx, end, 0]]
    return rounded_path(pts, radius=min(0.1, gap / 3))
