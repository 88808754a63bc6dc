"""Small layout pieces: formulas, a titled block, outlines, a bar, and code from the project's source.

* :func:`tex`: a formula in a palette colour
* :func:`titled`: a block with a formula name above and its shape (and notes) below
* :func:`ring`: an outline that stands out on bright and dark squares alike
* :func:`bar`: a horizontal bar of a value in [0, 1]
* :func:`code_block` and :func:`code_size`: project source in a manim ``Code``
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, UP, Code, MathTex, Rectangle, SurroundingRectangle, VGroup

from .palette import color
from .text import MONO, label, shape_tag


def tex(s: str, size: float = 40, role: str = "text") -> MathTex:
    """A formula, ``size`` points, in the colour of ``role``."""
    return MathTex(s, font_size=size, color=color(role))


def titled(mob, name: str, shape: tuple, note: str | Sequence[str] = "", role: str = "text",
           size: float = 40) -> VGroup:
    """``mob`` with a formula name above and its shape (and optional notes) below.

    Parameters
    ----------
    mob
        The block (a matrix, a heatmap).
    name
        Its name, as LaTeX (``"X"``, ``r"Y_{\\text{pos}}"``).
    shape
        Its shape, written by :func:`shape_tag`.
    note
        A line under the shape; or several (a sequence), each on a line of its own. Empty
        lines are left out.
    role, size
        Colour and size of the name.

    Returns
    -------
    VGroup
        ``(head, mob, foot)``; ``foot`` holds the shape and the notes, top to bottom.
    """
    head = tex(name, size=size, role=role).next_to(mob, UP, buff=0.2)
    notes = [note] if isinstance(note, str) else list(note)
    foot = VGroup(shape_tag(*shape, size=22), *[label(n, size=20, role="muted") for n in notes if n])
    foot.arrange(DOWN, buff=0.08).next_to(mob, DOWN, buff=0.2)
    return VGroup(head, mob, foot)


def ring(mob, role: str = "accent", buff: float = 0.03, stroke_width: float = 3) -> VGroup:
    """An outline in the colour of ``role`` with a dark rim on both sides, so that it stands out on the
    bright squares of a heatmap as well as on the dark ones."""
    return VGroup(SurroundingRectangle(mob, color=color("background"), buff=buff, stroke_width=stroke_width + 4),
                  SurroundingRectangle(mob, color=color(role), buff=buff, stroke_width=stroke_width))


def bar(value: float, width: float = 3.0, height: float = 0.3, role: str = "accent") -> VGroup:
    """A horizontal bar of ``value`` in [0, 1] inside a frame of ``width``."""
    frame = Rectangle(width=width, height=height, stroke_color=color("grid"), stroke_width=1.5)
    fill = Rectangle(width=max(1e-3, width * float(np.clip(value, 0, 1))), height=height, stroke_width=0,
                     fill_color=color(role), fill_opacity=0.9)
    fill.align_to(frame, LEFT)
    return VGroup(frame, fill)


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


__all__ = ["tex", "titled", "ring", "bar", "code_block", "code_size"]
