"""Chapters 6 to 10 (the attention chapters): each builds under manim's dry run from the committed
assets, and what it shows matches the assets.

Each chapter is run once per session by the ``scene_run`` fixture (tests/scene_runs.py), which
records every mobject it showed, so these tests can look for the Texts, ValueMatrices, Heatmaps
and Code blocks it built. Length, font sizes and the frame are checked for every chapter in
test_scenes_construct.py.
"""
from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from manim import DL, UR, Code, Line, MathTex, SurroundingRectangle, VGroup
from scene_runs import chapter_fixture, glyph_baselines, matrices_equal_to, of_type, row_labels

from model import store
from scenes.common import HEX, Heatmap, fmt, shorten, value_color, weight_color

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def att():
    return store.load("attention")


@pytest.fixture(scope="module")
def blk():
    return store.load("block")


ch06 = chapter_fixture("ch06", "Ch06SelfAttention")
ch07 = chapter_fixture("ch07", "Ch07Permutation")
ch08 = chapter_fixture("ch08", "Ch08Positions")
ch09 = chapter_fixture("ch09", "Ch09QueryKeyValue")
ch10 = chapter_fixture("ch10", "Ch10MultiHead")

CHAPTERS = ["ch06", "ch07", "ch08", "ch09", "ch10"]


# --- every chapter ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHAPTERS)
def test_narration_in_order_and_without_numbers(name, request):
    scene = request.getfixturevalue(name)
    # each caption is a narration line true of the data (model.claims), filled in, spoken once, in story order
    keys = [k for k in scene.NARRATION if k not in scene.said.off]
    order = [scene.line(k) for k in keys]
    assert len(set(scene.captions)) == len(scene.captions)
    assert set(scene.captions) <= set(order), set(scene.captions) - set(order)
    assert [order.index(c) for c in scene.captions] == sorted(order.index(c) for c in scene.captions)
    # the templates type no numbers: they come from the assets, through the fields
    assert not [v for v in scene.NARRATION.values() if re.search(r"\d", v)]
    for key, line in scene.NARRATION.items():  # at most two caption lines, however long the words quoted
        longest = {f: re.sub(r"“[^”]*”", "“" + "m" * 15 + "…”", v) if "“" in v else v + "0" * 3
                   for f, v in scene.said.fields.items()}
        if key not in scene.said.off:
            assert len(textwrap.wrap(line.format_map(longest), width=78)) <= 2, key


# --- chapter 6 --------------------------------------------------------------------------------

def test_ch06_shows_x_the_scores_w_and_y(ch06, att):
    tokens = list(att["tokens"])
    n, d = np.asarray(att["X"]).shape
    x = matrices_equal_to(ch06, att["X"])
    assert x and any(row_labels(m) == [shorten(t, 10) for t in tokens] for m in x)
    for key in ("XXt", "scaled", "Y"):
        assert matrices_equal_to(ch06, att[key]), f"no matrix shows {key}"
    assert f"1 × {n} × {d}" in ch06.texts  # the shape comes from the array
    maps = [m for m in of_type(ch06, Heatmap) if np.allclose(m.weights, att["W"])]
    assert maps and len(maps[0].squares) == n * n
    shown = [m for m in maps if len(m.values)]
    assert shown and [t.original_text for t in shown[0].values] == [fmt(v) for v in np.ravel(att["W"])]


def _row_decimals(texts: set, values) -> int:
    """The one number of decimals with which every value of a row is on screen (0 if none fits)."""
    def shown(v, k):  # fixed-point, with no negative zero
        t = f"{float(v):.{k}f}"
        return t.lstrip("-") if float(t) == 0 else t

    return next((k for k in range(1, 5) if {shown(v, k) for v in values} <= texts), 0)


def test_ch06_works_one_softmax_row_in_numbers(ch06, att):
    sr = att["softmax_row"]
    decimals = {}
    for key in ("scores", "exps", "weights"):
        decimals[key] = _row_decimals(ch06.texts, sr[key])
        assert decimals[key], f"the {key} row is not shown with one number of decimals"
        top = float(np.abs(sr[key]).max())  # the largest entry keeps at least two significant figures
        assert round(top, decimals[key]) and abs(round(top, decimals[key]) - top) / top < 0.05, key
    assert f"{sr['sum']:.{decimals['exps']}f}" in ch06.texts
    assert f"{np.sum(sr['weights']):.{decimals['weights']}f}" in ch06.texts  # the weights' sum, from the asset
    # the worked row is a real row of the scaled scores and of W
    assert np.allclose(np.asarray(att["scaled"])[sr["row"]], sr["scores"])
    assert np.allclose(np.asarray(att["W"])[sr["row"]], sr["weights"], atol=1e-6)
    # the line about every word favouring itself is spoken when the rule says so (truth_attention checks it)
    assert (ch06.NARRATION["self"] in ch06.captions) == ch06.says("self")
    # the weights' real range is on screen with the line about how even they are
    W = np.asarray(att["W"])
    key = next(k for k in ("even", "uneven", "single") if ch06.says(k))
    assert ch06.line(key) in ch06.captions
    assert f"all {W.size} weights lie between {W.min():.2f} and {W.max():.2f}" in ch06.texts


# --- chapter 7 --------------------------------------------------------------------------------

def test_ch07_links_equal_rows_of_the_two_outputs(ch07, att):
    Y, Yp = np.asarray(att["Y"]), np.asarray(att["Y_perm"])
    left, right = ch07.outputs
    assert np.allclose(left.array, Y) and np.allclose(right.array, Yp)
    assert row_labels(right) == [shorten(t, 10) for t in att["tokens_perm"]]
    assert len(ch07.row_links) == len(Y)
    for k, (line, i) in enumerate(zip(ch07.row_links, ch07.matched)):
        assert isinstance(line, Line)
        assert np.allclose(Y[i], Yp[k], atol=1e-4)  # a line joins two equal rows ...
        start, end = line.get_start(), line.get_end()
        assert abs(start[1] - left.rows[i].get_y()) < 1e-6  # ... and is drawn between exactly those rows
        assert abs(end[1] - right.rows[k].get_y()) < 1e-6
    assert sorted(ch07.matched) == list(range(len(Y)))
    # a viewer can check each link: different rows print different digits, linked rows the same ones
    printed = lambda m, r: tuple(c[1].original_text for c in m.rows[r])  # noqa: E731
    assert len({printed(left, i) for i in range(len(Y))}) == len(Y)
    assert all(printed(left, i) == printed(right, k) for k, i in enumerate(ch07.matched))


def test_ch07_reports_the_real_gap(ch07, att):
    Y, Yp = np.asarray(att["Y"]), np.asarray(att["Y_perm"])
    gap = float(np.max(np.abs(Yp - Y[ch07.matched])))
    assert any(fmt(gap, "auto") in t for t in ch07.texts)
    assert set(att["tokens_perm"]) <= ch07.texts


# --- chapter 8 --------------------------------------------------------------------------------

def test_ch08_shows_p_x_plus_p_and_the_real_code(ch08, att):
    for key in ("P", "XP", "Y_pos", "Y_pos_perm"):
        assert matrices_equal_to(ch08, att[key]), f"no matrix shows {key}"
    src = (ROOT / "model/transformer.py").read_text().splitlines()
    codes = of_type(ch08, Code)
    assert any("nn.Embedding(max_len, d_model)" in c.source for c in codes)
    for c in codes:  # every code line on screen is a real line (or a real trailing comment) of the model
        for line in c.source.splitlines():
            assert any(line.strip() in s for s in src), line


def test_ch08_shows_one_word_whose_output_changed(ch08, att):
    i, k = ch08.diff_pair
    perm = list(att["perm"])
    assert perm[k] == i
    a, b = np.asarray(att["Y_pos"])[i], np.asarray(att["Y_pos_perm"])[k]
    assert not np.allclose(a, b, atol=1e-3)  # the same word, two different output rows
    assert matrices_equal_to(ch08, a) and matrices_equal_to(ch08, b)
    assert matrices_equal_to(ch08, b - a)  # the difference itself is on screen
    digits = lambda m: [c[1].original_text for c in m.cells]  # noqa: E731
    pairs = [(digits(ma), digits(mb)) for ma in matrices_equal_to(ch08, a) for mb in matrices_equal_to(ch08, b)
             if len(ma.cells) == len(mb.cells)]
    assert pairs and all(da != db for da, db in pairs), "the two rows print the same digits"
    assert f"output row of “{shorten(att['tokens'][i])}”" in ch08.texts
    assert f"largest difference: {fmt(np.abs(a - b).max(), 'auto')}" in ch08.texts


# --- chapter 9 --------------------------------------------------------------------------------

def test_ch09_q_k_v_are_the_real_ones_in_their_colours(ch09, blk):
    for key in ("x_in", "Q", "K", "V"):
        assert matrices_equal_to(ch09, blk[key]), f"no matrix shows {key}"
    for name, role in (("Q", "query"), ("K", "key"), ("V", "value")):
        tex = [m for m in of_type(ch09, MathTex) if m.tex_string.startswith(name + " = X")]
        assert tex and tex[0].get_color().to_hex().lower() == HEX[role].lower()


def test_ch09_one_head_from_scores_to_heatmap(ch09, blk):
    h0 = ch09.head_shown
    assert h0 == int(blk["links"][0][0])  # the head of the strongest link
    for key in ("scores", "weights", "head_out"):
        assert matrices_equal_to(ch09, np.asarray(blk[key])[h0]), f"no matrix shows {key} of head {h0 + 1}"
    tokens = list(blk["tokens"])
    n = len(tokens)
    maps = [m for m in of_type(ch09, Heatmap) if m.weights.shape == (n, n)]
    assert maps and np.allclose(maps[0].weights, np.asarray(blk["weights"])[h0])
    hm = maps[0]
    assert len(hm.squares) == n * n
    assert [t.original_text for t in hm.row_label_mobs] == [shorten(tokens[i], 10) for i in hm.labelled]
    assert f"head {h0 + 1} of {int(blk['n_heads'])}, all {n} tokens" in ch09.texts


def test_ch09_points_out_links_from_the_data(ch09, blk):
    links = [(int(h), int(i), int(j), float(w)) for h, i, j, w in blk["links"]]
    assert ch09.links_shown[0] == links[0]
    tokens = list(blk["tokens"])
    for h, i, j, w in ch09.links_shown:
        assert (h, i, j, w) in links and h == ch09.head_shown and i != j
        assert f"“{shorten(tokens[i])}”" in ch09.texts and f"“{shorten(tokens[j])}”" in ch09.texts
        assert f"weight {fmt(w)}" in ch09.texts
        assert math.isclose(w, float(np.asarray(blk["weights"])[h, i, j]), rel_tol=1e-5)


def test_ch09_q_k_v_share_one_number_format_and_line_up(ch09, blk):
    """Q, K and V sit in one column: the same decimals, so the same cell width and brackets in line."""
    mats = [matrices_equal_to(ch09, blk[k])[0] for k in ("Q", "K", "V")]
    assert len({m.digits for m in mats}) == 1
    for m in mats:  # what is printed has that many decimals
        assert all(len(c[1].original_text.split(".")[1]) == m.digits for c in m.cells)
    widths = {round(m.cells[0][0].width, 6) for m in mats}
    assert len(widths) == 1
    for side in (0, 1):
        xs = [m.brackets[side].get_x() for m in mats]
        assert np.ptp(xs) < 1e-6, f"the {'left' if side == 0 else 'right'} brackets are not in line"
    # S, W and Y_h take the same place in turn: one format too
    h0 = ch09.head_shown
    shown = [matrices_equal_to(ch09, np.asarray(blk[k])[h0])[0] for k in ("scores", "weights", "head_out")]
    assert len({m.digits for m in shown}) == 1


def test_ch09_column_labels_sit_above_their_columns(ch09, blk):
    """The key labels over S stay over the columns of W when W replaces S, wholly above the matrix."""
    h0 = ch09.head_shown
    seen = []
    for vm, cols in ch09.score_layouts:
        seen.append(vm.array)
        top = vm.brackets.get_top()[1]
        assert len(cols) == len(vm.shown_cols)
        for c_i, t in enumerate(cols):
            assert abs(t.get_x() - vm.rows[0][c_i].get_x()) < 0.01, (c_i, t.original_text)
            assert t.get_bottom()[1] > top + 0.02, (c_i, t.original_text)  # clear of the matrix and its brackets
        for a, b in zip(cols, cols[1:]):
            assert a.get_right()[0] < b.get_left()[0]
    assert np.allclose(seen[0], np.asarray(blk["scores"])[h0]) and np.allclose(seen[1], np.asarray(blk["weights"])[h0])
    # the W that replaces S is drawn at S's scale, cell on cell
    (s, _), (w, _) = ch09.score_layouts
    assert abs(s.cells[0][0].width - w.cells[0][0].width) < 1e-6
    assert np.allclose(s.cells[0][0].get_center(), w.cells[0][0].get_center(), atol=1e-6)


def test_ch09_heatmap_colours_span_the_head_weights(ch09, blk):
    """The full-review heatmap scales its colours from 0 to the head's largest weight, and its key says so."""
    W = np.asarray(blk["weights"])[ch09.head_shown]
    hm = ch09.heatmap
    assert np.allclose(hm.weights, W) and hm.vmax == pytest.approx(float(W.max()))
    bar, lo, hi = hm.legend
    assert (lo.original_text, hi.original_text) == ("0", fmt(W.max()))
    i, j = np.unravel_index(int(np.argmax(W)), W.shape)
    top = bar[-1].get_fill_color().to_hex().lower()
    assert hm.square(i, j).get_fill_color().to_hex().lower() == top == weight_color(1.0).to_hex().lower()
    # the first link pointed out is the brightest square off the diagonal (the caption says so)
    _, li, lj, _ = ch09.links_shown[0]
    off = W.copy()
    np.fill_diagonal(off, -1.0)
    assert li != lj and W[li, lj] == off.max()
    assert hm.square(li, lj).get_fill_color().to_hex().lower() == weight_color(off.max() / W.max()).to_hex().lower()


def test_ch09_typesets_the_weight_matrices(ch09):
    assert not [t for t in ch09.texts if "W_" in t]  # no raw underscores on screen
    tex = [m.tex_string for m in of_type(ch09, MathTex)]
    assert any(all(f"W_{k}" in t for k in "QKV") for t in tex)


def test_ch09_links_run_clear_of_the_token_boxes(ch09):
    assert ch09.link_paths, "no link drawn on the review"
    boxes = ch09.review.boxes
    for path in ch09.link_paths:
        pts = np.array([path.point_from_proportion(t) for t in np.linspace(0, 1, 300)])
        for k, box in enumerate(boxes):
            (x0, y0), (x1, y1) = box.get_corner(DL)[:2], box.get_corner(UR)[:2]
            inside = (pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)
            assert not inside.any(), f"a link crosses the box of token {k}"
        assert pts[:, 0].min() > -7.1 and pts[:, 0].max() < 7.1 and pts[:, 1].min() > -2.95 and pts[:, 1].max() < 2.95


def test_colour_blocks_carry_a_key_with_their_real_scale(ch09, ch10, blk):
    """Values drawn as colour alone (no numbers) get a key whose ends are the largest |value| they show."""
    strips = max(float(np.abs(np.asarray(blk[k])[0]).max()) for k in ("Q", "K", "V"))  # one token's Q, K, V
    outs = max(float(np.abs(np.asarray(blk[k])).max()) for k in ("head_out", "concat", "attn_out"))
    for scene, vmax in ((ch09, strips), (ch10, strips), (ch10, outs)):
        assert "colour: value of each entry" in scene.texts
        assert {fmt(-vmax), "0", fmt(vmax)} <= scene.texts, (scene, vmax)
    n, dh = len(blk["tokens"]), int(blk["d_head"])
    assert {f"a row per token ({n})", f"a column per number ({dh} a head)"} <= ch10.texts


# --- chapter 10 -------------------------------------------------------------------------------

def test_ch10_every_head_has_its_own_real_heatmap(ch10, blk):
    W = np.asarray(blk["weights"])
    H, n = W.shape[0], W.shape[1]
    maps = [m for m in of_type(ch10, Heatmap) if m.weights.shape == (n, n)]
    for h in range(H):
        assert any(np.allclose(m.weights, W[h]) for m in maps), f"head {h + 1} missing"
        assert f"head {h + 1}" in ch10.texts
    assert len(set(ch10.heads_compared)) == 2
    assert int(blk["links"][0][0]) in ch10.heads_compared


def test_ch10_head_heatmaps_share_one_scale_to_their_largest_weight(ch10, blk):
    W = np.asarray(blk["weights"])
    maps = ch10.pair_maps
    assert [next(h for h in range(len(W)) if np.allclose(m.weights, W[h])) for m in maps] == list(ch10.heads_compared)
    vmax = float(max(W[h].max() for h in ch10.heads_compared))
    assert all(m.vmax == pytest.approx(vmax) for m in maps)  # one scale: the heads stay comparable
    keys = [m.legend for m in maps if len(m.legend)]
    assert len(keys) == 1 and (keys[0][1].original_text, keys[0][2].original_text) == ("0", fmt(vmax))
    for m in maps:  # each head has squares of clearly different colours
        rgb = np.array([sq.get_fill_color().to_rgb() for sq in m.squares])
        assert np.ptp(rgb, axis=0).max() > 0.3


def test_ch10_callouts_stand_on_one_baseline(ch10):
    lines = [c for c in ch10.callouts if len(c) > 1]
    assert lines
    for line in lines:
        assert len(glyph_baselines(line)) >= 3 and np.ptp(glyph_baselines(line)) < 0.005, [t.original_text for t in line]


def test_ch10_names_the_reviews_length_n_and_keeps_t_for_the_padded_length(ch10, blk):
    """T is max_len everywhere (chapters 2, 4, 12 and 14); the review's own tokens are n."""
    n, d = len(blk["tokens"]), int(blk["d_model"])
    T = int(store.load("model")["config"]["max_len"])
    assert {"B × n × d", "B × h × n × dh"} <= ch10.texts and "B × T × d" not in ch10.texts
    assert f"n = {n} real tokens: our review, run alone, with no padding" in ch10.texts
    said = [int(v) for t in ch10.texts for v in re.findall(r"\bT = (\d+)", t)]
    assert said and set(said) == {T}  # every "T = ..." on screen is the padded length
    assert any(f"T = n = {n}" in t for t in ch10.texts)  # the code's T, for this run, said as such


def test_ch10_shapes_and_code_are_real(ch10, blk):
    d, H, dh = int(blk["d_model"]), int(blk["n_heads"]), int(blk["d_head"])
    n = len(blk["tokens"])
    assert H * dh == d
    assert {f"1 × {n} × {d}", f"1 × {H} × {n} × {dh}"} <= ch10.texts
    # the concatenation really is the heads side by side
    concat, head_out = np.asarray(blk["concat"]), np.asarray(blk["head_out"])
    for h in range(H):
        assert np.allclose(concat[:, h * dh:(h + 1) * dh], head_out[h])
    src = (ROOT / "model/attention.py").read_text()
    codes = of_type(ch10, Code)
    joined = "\n".join(c.source for c in codes)
    for needle in ("Q.view(B, T, h, dh).transpose(1, 2)", "head_out.transpose(1, 2).contiguous().view(B, T, d)",
                   "self.proj(concat)"):
        assert needle in joined and needle in src


def test_ch10_colour_blocks_are_the_real_head_outputs_concat_and_projection(ch10, blk):
    head_out, concat, attn_out = (np.asarray(blk[k], dtype=float) for k in ("head_out", "concat", "attn_out"))
    blocks = [m for m in ch10.family if isinstance(m, VGroup) and isinstance(getattr(m, "values", None), np.ndarray)]
    shown = [b.values for b in blocks]

    def drawn(arr):
        return any(v.shape == arr.shape and np.allclose(v, arr) for v in shown)

    H, dh = head_out.shape[0], head_out.shape[2]
    for h in range(H):
        assert drawn(head_out[h]), f"head {h + 1}'s output is not drawn"
        assert drawn(concat[:, h * dh:(h + 1) * dh]), f"the concat's slice of head {h + 1} is not drawn"
    assert drawn(attn_out), "the projected output is not drawn"
    # every entry is drawn once, as a square in its value's colour on the one scale the key shows
    vmax = max(np.abs(head_out).max(), np.abs(concat).max(), np.abs(attn_out).max())
    for b in blocks:
        squares = [(p.get_fill_color().to_rgb(), sub.mean(axis=0))  # colour and centre of each square
                   for p in b if not isinstance(p, SurroundingRectangle) for sub in p.get_subpaths()]
        centres = np.array([c for _, c in squares])
        cell = np.ptp(centres[:, 0]) / (b.values.shape[1] - 1)
        cols = np.rint((centres[:, 0] - centres[:, 0].min()) / cell).astype(int)
        rows = np.rint((centres[:, 1].max() - centres[:, 1]) / cell).astype(int)
        assert sorted(zip(rows, cols)) == [(r, c) for r in range(b.values.shape[0]) for c in range(b.values.shape[1])]
        for (rgb, _), r, c in zip(squares, rows, cols):
            assert np.abs(rgb - value_color(b.values[r, c], vmax).to_rgb()).max() < 6 / 255, (r, c)


def test_ch09_names_the_words_that_draw_most_weight_with_their_sums(ch09):
    """The "draw" beat shows each word the caption names, with what its column gets from the other tokens,
    recomputed here from the stored weights; the words are the columns with the largest such sums."""
    b = store.load("block")
    W = np.asarray(b["weights"], dtype=float)[int(b["head_shown"])]
    got = W.sum(axis=0) - np.diag(W)  # column j: the weight every other token gives token j
    shown = " ".join(t for t in ch09.texts if t.startswith("“"))
    best = int(np.argmax(got))
    assert f"“{shorten(b['tokens'][best])}” {fmt(got[best])}" in shown
    assert any(shorten(b["tokens"][best]) in c and c.startswith("Summed over the other tokens") for c in ch09.captions)
    assert ch09.drawn.get_bottom()[1] > -2.9
