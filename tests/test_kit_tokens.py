"""Tokens on screen (scenes/common/tokens.py): TokenRow, the one wrapper (wrap_rows, token_grid), links
between wrapped tokens. No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse fixture)
from manim import DL, UR, VGroup
from scene_runs import glyph_baselines

from scenes.common import ELLIPSIS, AttentionLinks, TokenRow, link_path, label, token_grid, wrap_rows


def test_token_row_truncates_with_an_ellipsis_box():
    tokens = [f"w{k}" for k in range(50)]
    row = TokenRow(tokens, max_tokens=10)
    assert row.truncated
    assert len(row) == 10 and row.tokens == tokens[:9] + [ELLIPSIS]
    assert [t.original_text for t in row.texts][:9] == tokens[:9]


def test_token_row_keeps_short_rows_and_fits_its_width():
    tokens = ["a", "fine", "great", "<unk>", "<pad>"]
    row = TokenRow(tokens, max_tokens=10, max_width=3.0)
    assert not row.truncated and row.tokens == tokens
    assert row.width <= 3.0 + 1e-6
    xs = [row.token(i).get_x() for i in range(len(tokens))]
    assert xs == sorted(xs)
    # the words stand on one baseline, whatever their letters, in boxes of one height
    assert np.ptp(glyph_baselines(VGroup(*[row.texts[i] for i in (0, 2)]))) < 1e-6
    assert np.ptp([b.height for b in row.boxes]) < 1e-9


@pytest.mark.parametrize("balance, centred", [(True, True), (False, True), (False, False)])
def test_wrap_rows_keeps_order_and_width(balance, centred):
    tokens = "this is a long review that has to be wrapped over a few lines of text".split()
    g = token_grid(tokens, font_size=22, max_width=4.0, balance=balance, centred=centred)
    assert len(g.lines) > 1 and len(g) == len(tokens) and sum(map(len, g.lines)) == len(tokens)
    assert all(VGroup(*line).width <= 4.0 + 1e-6 for line in g.lines)
    order = [(-round(g.token(i).get_y(), 3), g.token(i).get_x()) for i in range(len(tokens))]
    assert order == sorted(order)
    lefts = [line[0].get_left()[0] for line in g.lines]
    centres = [VGroup(*line).get_x() for line in g.lines]
    assert np.ptp(centres if centred else lefts) < 1e-6
    assert np.allclose(g.get_center(), 0, atol=1e-6)
    if not balance:  # greedy: each line is full, the next token would not have fitted
        for line, nxt in zip(g.lines, g.lines[1:]):
            assert VGroup(*line).width + 0.08 + nxt[0].width > 4.0


def test_balanced_lines_leave_no_lone_token():
    tokens = [f"w{k}" for k in range(9)]
    greedy = token_grid(tokens, max_width=6.0, balance=False)
    balanced = token_grid(tokens, max_width=6.0)
    assert len(greedy.lines) == len(balanced.lines) == 2
    assert len(balanced.lines[-1]) > len(greedy.lines[-1])


def test_wrap_rows_takes_any_items():
    cols = VGroup(*[VGroup(label(str(k), size=20), label("id", size=20)).arrange() for k in range(12)])
    out = wrap_rows(cols, 3.0, buff=0.3, line_buff=0.22)
    assert out is cols and len(out.lines) > 1 and [m for ln in out.lines for m in ln] == list(cols)


def test_link_paths_run_clear_of_every_token_box():
    tokens = "just love the interplay between two great characters of stage & screen - veidt & barrymore".split()
    review = token_grid(tokens, font_size=20, max_width=5.6, buff=0.1, line_buff=0.3, balance=False, centred=False)
    assert len(review.lines) >= 3  # links on one line, between neighbouring lines and across a line
    pairs = [(6, 1), (10, 1), (3, 1), (1, 13), (0, 5), (13, 0), (15, 2)]
    for i, j in pairs:
        for lane, lanes in ((0, 1), (1, 2)):
            path = link_path(review, i, j, lane=lane, lanes=lanes)
            pts = np.array([path.point_from_proportion(t) for t in np.linspace(0, 1, 400)])
            for k, box in enumerate(review.boxes):
                x0, y0 = box.get_corner(DL)[:2]
                x1, y1 = box.get_corner(UR)[:2]
                inside = (pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)
                assert not inside.any(), (i, j, k)
            # it starts at token i's box and ends at token j's
            for end, box in ((pts[0], review.boxes[i]), (pts[-1], review.boxes[j])):
                assert box.get_left()[0] <= end[0] <= box.get_right()[0]
                assert min(abs(end[1] - box.get_top()[1]), abs(end[1] - box.get_bottom()[1])) < 0.05


def test_attention_links_skip_small_weights_and_self():
    starts = [np.array([0.0, 0, 0])]
    ends = [np.array([x, 0, 0]) for x in (0.0, 1.0, 2.0, 3.0)]
    links = AttentionLinks(starts, ends, np.array([[0.5, 0.3, 0.01, 0.19]]))
    assert [(i, j) for i, j, _ in links.pairs] == [(0, 1), (0, 3)]  # not itself, not under the threshold
    assert links[0].get_stroke_width() > links[1].get_stroke_width()
