"""Small layout pieces (scenes/common/layout.py): code blocks, outlines, bars. No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import hex_of, private_media  # noqa: F401  (autouse fixture)
from manim import MathTex, Square

from scenes.common import bar, code_block, code_size, color, ring, tex


def test_code_block_moves_trailing_comments_above():
    src = "self.pos = nn.Embedding(max_len, d_model)  # P: a learned d-vector for each position"
    code = code_block(src, size=24)
    assert code.source.splitlines() == ["# P: a learned d-vector for each position",
                                        "self.pos = nn.Embedding(max_len, d_model)"]
    assert code_block(src, comments_above=False).source == src
    assert abs(code_size(code) - 24) < 1e-6
    code.scale(0.5)
    assert abs(code_size(code) - 12) < 1e-6


def test_tex_ring_and_bar():
    f = tex(r"Y = W\,X", size=36, role="accent")
    assert isinstance(f, MathTex) and hex_of(f.get_color()) == hex_of(color("accent"))
    sq = Square(side_length=1.0)
    rim, line = ring(sq, buff=0.05)
    assert hex_of(rim.get_stroke_color()) == hex_of(color("background"))  # a dark rim round the colour
    assert hex_of(line.get_stroke_color()) == hex_of(color("accent"))
    assert rim.get_stroke_width() > line.get_stroke_width() and line.width == pytest.approx(1.1)
    frame, fill = bar(0.25, width=4.0)
    assert fill.width == pytest.approx(1.0) and fill.get_left()[0] == pytest.approx(frame.get_left()[0])
    assert bar(1.7)[1].width == pytest.approx(3.0) and bar(-1.0)[1].width > 0  # clipped to [0, 1], never empty
    assert np.isclose(bar(0.5, height=0.4)[0].height, 0.4)
