"""Values drawn as colours (scenes/common/heatmaps.py): Heatmap, token_heatmap, the colour keys, head strips.
No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import hex_of, private_media  # noqa: F401  (autouse fixture)

from scenes.common import (LABEL_PITCH, Heatmap, contrast, fmt, head_strips, ink_on, stride_note, token_heatmap,
                           value_color, value_legend, weight_color)


def test_heatmap_has_one_square_per_weight_in_its_colour():
    w = np.array([[0.0, 0.25, 0.75], [1.0, 0.5, 0.1]])
    hm = Heatmap(w, ["a", "b"], ["x", "y", "z"])
    assert len(hm.squares) == w.size
    for i in range(2):
        for j in range(3):
            assert hex_of(hm.square(i, j).get_fill_color()) == hex_of(weight_color(w[i, j]))
    # row i sits above row i + 1, column j left of column j + 1
    assert hm.square(0, 0).get_y() > hm.square(1, 0).get_y()
    assert hm.square(0, 0).get_x() < hm.square(0, 1).get_x()
    assert [t.original_text for t in hm.row_label_mobs] == ["a", "b"]
    assert [t.original_text for t in hm.col_label_mobs] == ["x", "y", "z"]


def test_heatmap_colours_are_ordered_and_distinct():
    assert hex_of(weight_color(0.0)) != hex_of(weight_color(1.0))
    hm = Heatmap(np.array([[0.0, 1.0]]), ["q"], ["a", "b"])
    assert hex_of(hm.square(0, 0).get_fill_color()) != hex_of(hm.square(0, 1).get_fill_color())


def test_heatmap_values_are_the_weights():
    w = np.array([[0.123, 0.877], [0.5, 0.5]])
    hm = Heatmap(w, ["a", "b"], show_values=True)
    assert [t.original_text for t in hm.values] == ["0.12", "0.88", "0.50", "0.50"]


def test_heatmap_can_scale_its_colours_to_its_largest_weight():
    """vmax=None: the largest weight gets the top colour, and the key reads 0 and that real maximum."""
    w = np.array([[0.04, 0.06, 0.1016], [0.08, 0.05, 0.07]])
    hm = Heatmap(w, ["a", "b"], ["x", "y", "z"], vmax=None, show_values=True)
    assert hm.vmax == pytest.approx(0.1016)
    bar, lo, hi = hm.legend
    top, bottom = hex_of(bar[-1].get_fill_color()), hex_of(bar[0].get_fill_color())
    assert hex_of(hm.square(0, 2).get_fill_color()) == hex_of(weight_color(1.0)) == top  # the max: the top colour
    for i in range(2):
        for j in range(3):
            assert hex_of(hm.square(i, j).get_fill_color()) == hex_of(weight_color(w[i, j] / 0.1016))
    assert hex_of(weight_color(0.0)) == bottom
    assert [lo.original_text, hi.original_text] == ["0", fmt(0.1016)] == ["0", "0.10"]
    assert lo.get_y() < hi.get_y()
    # numbers written on the brightest squares are dark, on the dark ones light: always readable
    assert hex_of(hm.values[2].get_color()) != hex_of(hm.values[0].get_color())
    assert all(contrast(t.get_color(), sq.get_fill_color()) > 4 for t, sq in zip(hm.values, hm.squares))
    # one shared scale for several heatmaps: a given vmax, written with the heatmap's decimals
    shared = Heatmap(w, ["a", "b"], ["x", "y", "z"], vmax=0.2, digits=3)
    assert hex_of(shared.square(0, 2).get_fill_color()) == hex_of(weight_color(0.1016 / 0.2))
    assert shared.legend[2].original_text == "0.200"
    # the default stays the fixed 0-to-1 scale
    plain = Heatmap(w, ["a", "b"], ["x", "y", "z"])
    assert plain.vmax == 1.0 and [plain.legend[1].original_text, plain.legend[2].original_text] == ["0", "1"]
    assert hex_of(plain.square(0, 2).get_fill_color()) == hex_of(weight_color(0.1016))


def test_token_heatmap_passes_its_colour_scale_on():
    w = np.array([[0.3, 0.7], [0.45, 0.55]])
    hm = token_heatmap(w, ["a", "b"], cell=0.5, vmax=None)
    assert hm.vmax == pytest.approx(0.7) and hm.legend[2].original_text == "0.70"
    assert hex_of(hm.square(0, 1).get_fill_color()) == hex_of(weight_color(1.0))


def test_heatmap_refuses_mismatched_labels():
    with pytest.raises(ValueError):
        Heatmap(np.zeros((2, 2)), ["only one"])
    with pytest.raises(ValueError):
        Heatmap(np.zeros(3), ["a", "b", "c"])


@pytest.mark.parametrize("n, cell, stride", [(5, 0.7, 1), (16, 0.29, 1), (16, 0.17, 2), (38, 0.11, 3)])
def test_token_heatmap_keeps_labels_readable(n, cell, stride):
    rng = np.random.default_rng(0)
    w = rng.random((n, n))
    w /= w.sum(axis=1, keepdims=True)
    tokens = [f"tok{k}" for k in range(n)]
    hm = token_heatmap(w, tokens, cell=cell)
    assert hm.label_stride == stride and hm.labelled == list(range(0, n, stride))
    assert [t.original_text for t in hm.row_label_mobs] == [tokens[i] for i in hm.labelled]
    assert all(abs(t.font_size - 18) < 0.01 for t in hm.row_label_mobs)  # 18 pt however small the cells
    ys = [t.get_y() for t in hm.row_label_mobs]
    assert all(a - b >= LABEL_PITCH - 1e-6 for a, b in zip(ys, ys[1:]))
    assert (stride_note(hm) == "") == (stride == 1)
    assert len(hm.squares) == n * n


def test_value_legend_runs_from_minus_to_plus_its_scale():
    bar, ticks, title = value_legend(0.47, title="colour: value")
    assert [t.original_text for t in ticks] == ["-0.47", "0", "0.47"]
    assert title.original_text == "colour: value"
    # the ends and the middle are the colours value_color gives on that scale
    assert np.allclose(bar[0].get_fill_color().to_rgb(), value_color(-0.47, 0.47).to_rgb(), atol=2 / 255)
    assert np.allclose(bar[-1].get_fill_color().to_rgb(), value_color(0.47, 0.47).to_rgb(), atol=2 / 255)
    assert not np.allclose(bar[0].get_fill_color().to_rgb(), bar[-1].get_fill_color().to_rgb(), atol=0.1)
    left_to_right = [b.get_x() for b in bar]
    assert left_to_right == sorted(left_to_right)
    assert ticks[0].get_x() < ticks[1].get_x() < ticks[2].get_x()


def test_head_strips_cut_each_vector_into_heads():
    rng = np.random.default_rng(1)
    vecs = [rng.normal(size=16) for _ in range(3)]
    strips = head_strips(vecs, ("Q", "K", "V"), ("query", "key", "value"), 4, 2)
    rows, names, key = strips[:3], strips[3], strips[4]
    for row, vec in zip(rows, vecs):
        chunks = row[1]
        assert len(chunks) == 4 and all(len(c) == 4 for c in chunks)
        vmax = max(float(np.abs(v).max()) for v in vecs)
        assert hex_of(chunks[0][0].get_fill_color()) == hex_of(value_color(vec[0], vmax))
        assert len(row) == 3  # name, chunks, and the outline of head 3
    assert [t.original_text for t in names] == ["head 1", "head 2", "head 3", "head 4"]
    assert key[2].original_text == "colour: value of each entry"
    assert len(head_strips(vecs, ("Q", "K", "V"), ("query", "key", "value"), 4, None)[0]) == 2  # no outline


def test_ink_on_picks_the_more_readable_of_light_and_dark():
    from scenes.common import color

    light, dark = color("text"), color("background")
    assert hex_of(ink_on(weight_color(0.0))) == hex_of(light) and hex_of(ink_on(weight_color(1.0))) == hex_of(dark)
    for w in np.linspace(0, 1, 11):
        fill = weight_color(w)
        assert contrast(ink_on(fill), fill) == max(contrast(light, fill), contrast(dark, fill))
