"""Layout helpers shared by the attention chapters (6 to 10): number formats that follow an
array's scale, titled matrices, token heatmaps whose labels stay readable, wrapped token rows,
and code blocks read from the project's own source.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Code, MathTex, SurroundingRectangle, VGroup

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


def vmatrix(array, **kwargs) -> ValueMatrix:
    """A ValueMatrix whose number of decimals suits the array's size (unless ``digits`` is given)."""
    kwargs.setdefault("digits", digits_for(array))
    return ValueMatrix(array, **kwargs)


def tex(s: str, size: float = 40, role: str = "text") -> MathTex:
    return MathTex(s, font_size=size, color=color(role))


def col_labels(vm: ValueMatrix, labels, size: float = 20, role: str = "token", max_chars: int = 10) -> VGroup:
    """Rotated labels above the shown columns of a ValueMatrix (like a Heatmap's), cut like its row labels."""
    out = VGroup()
    for c_i, c in enumerate(vm.shown_cols):
        t = label(shorten(str(labels[c]), max_chars), size=size, role=role).rotate(math.pi / 2)
        t.next_to(vm.rows[0][c_i], UP, buff=0.14)
        out.add(t)
    for t in out:  # all start on the same line, just above the matrix
        t.align_to(out[0], DOWN)
    return out


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
                  rows: bool = True, cols: bool = True, legend: bool = True, max_chars: int = 10) -> Heatmap:
    """A Heatmap whose token labels stay at ``size`` points however small the cells are.

    When the cells are smaller than :data:`LABEL_PITCH`, only every ``stride``-th token is
    labelled (``hm.label_stride``; ``hm.labelled`` lists the indices). Query labels (rows)
    and key labels (columns) take the query and key colours."""
    tokens = [str(t) for t in tokens]
    hm = Heatmap(weights, tokens, cell=cell, legend=legend, axis_titles=None, font_size=20)
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


def row_box(vm: ValueMatrix, i: int, role: str = "accent") -> SurroundingRectangle:
    return SurroundingRectangle(vm.rows[i], color=color(role), buff=0.04, stroke_width=3)
