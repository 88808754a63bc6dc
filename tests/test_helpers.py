"""Unit tests of the shared scene helpers (scenes/common) and of the small helpers the attention
chapters share (scenes/ch06_self_attention.py and friends). No rendering, no assets."""
from __future__ import annotations

import math

import numpy as np
import pytest
from manim import DL, RIGHT, UR, Text, VGroup, tempconfig
from scene_runs import glyph_baselines

from scenes.common import (ELLIPSIS, Heatmap, TokenRow, ValueMatrix, fmt_number, shorten, value_color, value_legend,
                           weight_color)


@pytest.fixture(scope="module", autouse=True)
def private_media(tmp_path_factory):
    """Texts are cached as SVG files under the media folder: use a private one (renders run alongside)."""
    with tempconfig({"media_dir": str(tmp_path_factory.mktemp("media"))}):
        yield


def hex_of(c) -> str:
    return c.to_hex().lower()


# --- fmt_number and shorten ---------------------------------------------------------------------

@pytest.mark.parametrize("value, digits, text", [
    (0.123456, 2, "0.12"), (2, 2, "2.00"), (-1.235, 1, "-1.2"), (1234.5, 0, "1234"), (0.995, 2, "0.99"),
    (-0.001, 2, "0.00"), (-0.0, 2, "0.00"), (-0.004, 2, "0.00"), (-0.006, 2, "-0.01"), (np.float32(0.5), 3, "0.500"),
])
def test_fmt_number(value, digits, text):
    assert fmt_number(value, digits) == text


def test_fmt_number_never_shows_negative_zero():
    for v in np.linspace(-0.0049, 0.0049, 41):
        assert fmt_number(v) == "0.00"


def test_shorten():
    assert shorten("movie") == "movie"
    assert shorten("extraordinarily", 8) == "extraor" + ELLIPSIS
    assert len(shorten("x" * 40)) == 12


# --- Heatmap ------------------------------------------------------------------------------------

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
    assert [lo.original_text, hi.original_text] == ["0", fmt_number(0.1016)] == ["0", "0.10"]
    assert lo.get_y() < hi.get_y()
    # numbers written on the brightest squares are dark, on the dark ones light: always readable
    from scenes.common.mobjects import contrast

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
    from scenes.common.layout import token_heatmap

    w = np.array([[0.3, 0.7], [0.45, 0.55]])
    hm = token_heatmap(w, ["a", "b"], cell=0.5, vmax=None)
    assert hm.vmax == pytest.approx(0.7) and hm.legend[2].original_text == "0.70"
    assert hex_of(hm.square(0, 1).get_fill_color()) == hex_of(weight_color(1.0))


def test_heatmap_refuses_mismatched_labels():
    with pytest.raises(ValueError):
        Heatmap(np.zeros((2, 2)), ["only one"])
    with pytest.raises(ValueError):
        Heatmap(np.zeros(3), ["a", "b", "c"])


# --- ValueMatrix ----------------------------------------------------------------------------------

def test_value_matrix_shows_the_leading_block_and_says_so():
    arr = np.arange(10 * 20, dtype=float).reshape(10, 20) / 7 - 9
    vm = ValueMatrix(arr, max_rows=4, max_cols=5)
    assert vm.shown_rows == [0, 1, 2, 3] and vm.shown_cols == [0, 1, 2, 3, 4]
    assert vm.row_ellipsis and vm.col_ellipsis
    assert len(vm.cells) == 4 * 5
    assert len(vm.ellipses) == 4 + 5  # one "…" per shown row, one "⋮" per shown column
    assert vm.note_text == "first 4 of 10 rows, first 5 of 20 columns"
    numbers = [cell[1].original_text for cell in vm.cells]
    assert numbers == [fmt_number(arr[r, c]) for r in range(4) for c in range(5)]


def test_value_matrix_without_ellipsis():
    arr = np.array([[1.0, -2.5], [0.25, 3.0]])
    vm = ValueMatrix(arr, max_rows=6, max_cols=6, digits=1, row_labels=["one", "two"])
    assert not vm.row_ellipsis and not vm.col_ellipsis
    assert len(vm.ellipses) == 0 and vm.note_text == ""
    assert isinstance(vm.note(), Text)
    assert [c[1].original_text for c in vm.cells] == ["1.0", "-2.5", "0.2", "3.0"]
    assert [t.original_text for t in vm.row_label_mobs] == ["one", "two"]
    # each row label sits level with its row
    for r in range(2):
        assert abs(vm.row_label_mobs[r].get_y() - vm.row(r).get_y()) < 1e-6


def test_value_matrix_only_columns_cut():
    vm = ValueMatrix(np.ones((3, 9)), max_rows=6, max_cols=4)
    assert vm.note_text == "first 4 of 9 columns"
    assert len(vm.ellipses) == 3


def test_value_matrix_of_a_vector_is_one_row():
    vm = ValueMatrix(np.array([0.5, -0.5, 1.5]))
    assert vm.array.shape == (1, 3) and len(vm.rows) == 1 and len(vm.cells) == 3


# --- TokenRow -----------------------------------------------------------------------------------

def test_token_row_truncates_with_an_ellipsis_box():
    tokens = [f"w{k}" for k in range(50)]
    row = TokenRow(tokens, max_tokens=10)
    assert row.truncated
    assert len(row) == 10 and row.tokens == tokens[:9] + [ELLIPSIS]
    assert [t.original_text for t in row.texts][:9] == tokens[:9]


def test_token_row_keeps_short_rows_and_fits_its_width():
    tokens = ["a", "fine", "film", "<unk>", "<pad>"]
    row = TokenRow(tokens, max_tokens=10, max_width=3.0)
    assert not row.truncated and row.tokens == tokens
    assert row.width <= 3.0 + 1e-6
    xs = [row.token(i).get_x() for i in range(len(tokens))]
    assert xs == sorted(xs)


# --- helpers of the attention chapters --------------------------------------------------------

def test_fmt_auto_reads_well_at_every_scale():
    from scenes.common.layout import fmt_auto, fmt_clean

    assert fmt_auto(0) == "0"
    assert fmt_auto(0.5) == "0.50"
    assert fmt_auto(-0.0031) == "-0.0031"
    assert fmt_auto(6.3e-6) == "6.3e-06"
    assert fmt_auto(1096.13) == "1,096"
    assert fmt_auto(46546.3) == "46,546"
    assert fmt_auto(4.6e5) == "4.60e+05"
    assert fmt_clean(8.0) == "8" and fmt_clean(math.sqrt(48)) == "6.93" and fmt_clean(12) == "12"


@pytest.mark.parametrize("n, cell, stride", [(5, 0.7, 1), (16, 0.29, 1), (16, 0.17, 2), (38, 0.11, 3)])
def test_token_heatmap_keeps_labels_readable(n, cell, stride):
    from scenes.common.layout import LABEL_PITCH, stride_note, token_heatmap

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


def test_shared_digits_give_matrices_one_width():
    from scenes.common.layout import digits_for, shared_digits, vmatrix

    a, b = np.array([[1.77, -0.5]]), np.array([[0.567, 0.012]])
    assert (digits_for(a), digits_for(b)) == (2, 3)  # on their own, two formats ...
    k = shared_digits(a, b)
    assert k == 2  # ... together, the one that suits the larger
    ma, mb = vmatrix(a, digits=k), vmatrix(b, digits=k)
    assert ma.digits == mb.digits == 2 and ma.width == pytest.approx(mb.width)
    assert [c[1].original_text for c in mb.cells] == ["0.57", "0.01"]


def test_column_labels_sit_clear_above_their_columns_and_follow_a_replacing_matrix():
    from scenes.common.layout import col_labels, place_like

    tokens = ["just", "love", "the", "interplay", "between", "two", "great"]
    rng = np.random.default_rng(3)
    s = ValueMatrix(rng.normal(size=(7, 7)) * 0.3, max_rows=6, max_cols=6, digits=3, row_labels=tokens)
    cols = col_labels(s, tokens)
    VGroup(s, cols).scale(0.7).move_to([2.6, 0.3, 0])  # laid out and fitted together, as in a chapter
    w = ValueMatrix(np.full((7, 7), 1 / 7), max_rows=6, max_cols=6, digits=3, row_labels=tokens, vmax=1.0)
    place_like(w, s)
    for vm in (s, w):
        top = vm.brackets.get_top()[1]
        for c_i, t in enumerate(cols):
            assert abs(t.get_x() - vm.rows[0][c_i].get_x()) < 1e-3  # over its own column
            assert t.get_bottom()[1] > top + 0.02  # wholly above the matrix and its brackets
        for a, b in zip(cols, cols[1:]):
            assert a.get_right()[0] < b.get_left()[0]  # and clear of each other
    assert np.allclose(w.cells.get_center(), s.cells.get_center(), atol=1e-6)
    assert w.width == pytest.approx(s.width, rel=1e-3)


def test_text_line_puts_its_parts_on_one_baseline():
    from scenes.common import label
    from scenes.common.layout import text_line

    parts = [label("head 1:", size=20), label("“great”", size=20), label("→", size=20), label("“love”", size=20),
             label("0.10", size=20)]
    line = text_line(*parts)
    assert len(glyph_baselines(line)) == 4 and np.ptp(glyph_baselines(line)) < 0.005
    xs = [t.get_x() for t in line]
    assert xs == sorted(xs)
    arrow_mid = line[2].get_y()  # the arrow sits between the baseline and the top of the small letters
    assert min(glyph_baselines(line)) < arrow_mid < line[0].get_top()[1]
    # what manim's arrange does instead: the word with quotes and a descender rides high
    plain = VGroup(label("head 1:", size=20), label("“great”", size=20)).arrange(RIGHT, buff=0.12)
    assert np.ptp(glyph_baselines(plain)) > 0.02


def test_link_paths_run_clear_of_every_token_box():
    from scenes.common.layout import link_path, wrap_tokens

    tokens = "just love the interplay between two great characters of stage & screen - veidt & barrymore".split()
    review = wrap_tokens(tokens, width=5.6, font_size=20, line_buff=0.3)
    assert len(review) >= 3  # links on one line, between neighbouring lines and across a line
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


def test_wrap_tokens_keeps_order_and_width():
    from scenes.common.layout import wrap_tokens

    tokens = "this is a long review that has to be wrapped over a few lines of text".split()
    g = wrap_tokens(tokens, width=4.0, font_size=22)
    assert len(g) > 1 and len(g.boxes) == len(tokens)
    assert all(line.width <= 4.0 + 1e-6 for line in g)
    order = [(-round(b.get_y(), 3), b.get_x()) for b in g.boxes]
    assert order == sorted(order)


def test_code_block_moves_trailing_comments_above():
    from scenes.common.layout import code_block, code_size

    src = "self.pos = nn.Embedding(max_len, d_model)  # P: a learned d-vector for each position"
    code = code_block(src, size=24)
    assert code.source.splitlines() == ["# P: a learned d-vector for each position",
                                        "self.pos = nn.Embedding(max_len, d_model)"]
    assert code_block(src, comments_above=False).source == src
    assert abs(code_size(code) - 24) < 1e-6
    code.scale(0.5)
    assert abs(code_size(code) - 12) < 1e-6


def test_match_rows_finds_equal_rows_not_positions():
    from scenes.ch07_permutation import match_rows

    Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # rows 0 and 2 are equal
    assert match_rows(Y, Y[[2, 0, 1]], [2, 0, 1]) == [2, 0, 1]
    assert match_rows(Y, Y[[1, 0, 2]], [1, 2, 0]) == [1, 2, 0]  # ties: perm's choice wins
    with pytest.raises(ValueError):
        match_rows(Y, Y + 5, [0, 1, 2])


def test_pick_links_and_strongest_link():
    from scenes.ch09_qkv import pick_links
    from scenes.ch10_multihead import strongest_link

    links = [(1, 3, 2, 0.9), (0, 1, 7, 0.8), (1, 3, 5, 0.7), (1, 4, 2, 0.6)]
    assert pick_links(links) == [(1, 3, 2, 0.9), (1, 4, 2, 0.6)]  # same head, another query token
    assert pick_links(links[:2]) == [(1, 3, 2, 0.9)]
    w = np.array([[0.9, 0.1, 0.0], [0.3, 0.2, 0.5], [0.0, 0.4, 0.6]])
    assert strongest_link(w, links, 0)[:2] == (1, 7)  # listed in the asset
    assert strongest_link(w, links, 2) == (1, 2, 0.5)  # else the largest weight off the diagonal


# --- live mobjects (scenes/common/live.py) ------------------------------------------------------

@pytest.mark.parametrize("text", ["step 1,234: 0.693", "last 19 steps: -0.05", "0", "step 9"])
def test_mono_readout_lays_out_like_a_text(text):
    from scenes.common import label
    from scenes.common.live import MonoReadout

    readout = MonoReadout("step lasx0123456789,.:-", size=22).show(text)
    ref = label(text, size=22, mono=True)
    got = np.array([m.get_center() for m in readout.family_members_with_points()])
    want = np.array([m.get_center() for m in ref])
    assert got.shape == want.shape  # one glyph per character that is not a space
    assert np.allclose(got - got[0], want - want[0], atol=1e-4)
    assert readout.width == pytest.approx(ref.width, abs=1e-4) and readout.height == pytest.approx(ref.height, abs=1e-4)


def test_mono_readout_keeps_its_parts_and_refuses_what_it_cannot_write():
    from scenes.common.live import MonoReadout

    readout = MonoReadout("0123456789", capacity=6)
    parts = list(readout.submobjects)
    readout.show("12345")
    readout.show("7")
    assert readout.submobjects == parts  # the renderer keeps drawing the parts it saw first
    assert len(readout.family_members_with_points()) == 1
    with pytest.raises(ValueError, match="cannot write 'x'"):
        readout.show("1x")
    with pytest.raises(ValueError, match="holds 6"):
        readout.show("1234567")


def test_live_copies_new_points_into_the_same_parts():
    from manim import Dot, Line, VGroup

    from scenes.common.live import Live

    state = {"x": 0.0}
    live = Live(lambda: VGroup(Line([0, 0, 0], [state["x"], 1, 0]), Dot([state["x"], 0, 0])))
    parts = live.family_members_with_points()
    state["x"] = 2.0
    live.update()
    assert live.family_members_with_points() == parts
    assert np.allclose(parts[0].get_end(), [2, 1, 0]) and np.allclose(parts[1].get_center(), [2, 0, 0])
    state["x"] = 3.0
    live._make = lambda: VGroup(Dot())  # a different structure is a bug in the caller, said at once
    with pytest.raises(ValueError, match="different structure"):
        live.update()


def test_dropping_glyph_sources_keeps_every_point():
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    from scenes.common.chapter import drop_glyph_sources

    before = Text("Attention, 0.25", font_size=30)
    drop_glyph_sources()
    patched = VMobjectFromSVGPath.generate_points
    drop_glyph_sources()  # every chapter's setup calls it: it must not wrap itself again
    assert VMobjectFromSVGPath.generate_points is patched and patched.drops_source
    after = Text("Attention, 0.25", font_size=30)
    assert all(g.path_obj is None for g in after) and len(after) == len(before)
    for a, b in zip(before, after):
        assert np.array_equal(a.points, b.points)


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


def test_held_frames_converted_once_give_the_same_bytes(tmp_path):
    """The patched encoder writes exactly the video manim's own encoder writes, and is idempotent."""
    from fractions import Fraction

    from manim._config.video_encoder import VideoEncoderSpec
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    from scenes.common.encoder import convert_held_frames_once

    spec = VideoEncoderSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=320, height=180,
                            frame_rate=Fraction(30), options=(("preset", "veryfast"), ("crf", "20")))
    rng = np.random.default_rng(5)
    frames = [np.ascontiguousarray(rng.integers(0, 256, (180, 320, 4), dtype=np.uint8)) for _ in range(3)]
    for f in frames:
        f[..., 3] = 255

    def encode(path):
        enc = VideoSegmentEncoder(target=path, spec=spec)
        for f, repeat in zip(frames, (1, 7, 4)):  # a moving frame, then two held ones
            enc.write_frame(f, repeat=repeat)
        enc.finish()
        return path.read_bytes()

    current = VideoSegmentEncoder.write_frame  # a chapter run earlier in this process may have patched it
    original = getattr(current, "manim_own", current)
    try:
        VideoSegmentEncoder.write_frame = original
        reference = encode(tmp_path / "manim.mp4")
        convert_held_frames_once()
        patched = VideoSegmentEncoder.write_frame
        convert_held_frames_once()  # every chapter's setup calls it: it must not wrap itself again
        assert VideoSegmentEncoder.write_frame is patched and patched is not original
        assert encode(tmp_path / "once.mp4") == reference
    finally:
        VideoSegmentEncoder.write_frame = current


def test_cached_cairo_paths_draw_the_same_pixels():
    """Paths traced once and appended again give every pixel manim's own tracing gives."""
    from manim import (BLUE, DOWN, LEFT, RED, RIGHT, UP, Annulus, Circle, FadeIn, Group, Line, Square, Text, ValueTracker,
                       VGroup)
    from manim.camera.camera import Camera

    from scenes.common import layers
    from scenes.common.paths import cache_cairo_paths, steady_fades

    shapes = VGroup(Text("Bag of words: 0.137 → gut", font_size=40), Circle(radius=1.3).set_fill(RED, 0.5),
                    Line(LEFT * 3, RIGHT * 2 + UP), Square().set_stroke(width=9),
                    Annulus(inner_radius=0.5, outer_radius=1).set_fill(BLUE, 0.8)).arrange(DOWN)

    def draw():
        cam = Camera(pixel_width=480, pixel_height=270)
        cam.capture_mobjects(shapes.family_members_with_points())
        return cam.pixel_array.copy()

    current = Camera.set_cairo_context_path
    try:
        Camera.set_cairo_context_path = getattr(current, "manim_own", current)
        reference = draw()
        cache_cairo_paths()
        patched = Camera.set_cairo_context_path
        cache_cairo_paths()  # every chapter's setup calls it: it must not wrap itself again
        assert patched is not Camera.set_cairo_context_path.manim_own and Camera.set_cairo_context_path is patched
        patched.traced.clear()
        first = draw()  # traces every shape and keeps it
        kept = len(patched.traced)
        assert kept == len(shapes.family_members_with_points())
        second = draw()  # draws only kept paths
        assert len(patched.traced) == kept
        assert reference.std() > 10  # the frame is not blank
        assert np.array_equal(first, reference) and np.array_equal(second, reference)
        shapes[1].shift(RIGHT * 0.25)  # moved points are a new path, not the old one
        moved = draw()
        assert len(patched.traced) == kept + 1 and not np.array_equal(moved, reference)
    finally:
        Camera.set_cairo_context_path = current

    steady_fades()
    glyphs = shapes[0].family_members_with_points()
    fade = FadeIn(shapes[0])  # a plain fade leaves the points as they are and fades the colours
    fade.begin()
    if getattr(fade, "layer", None) is not None:  # a chapter's setup installed layered fades: take manim's path here
        layers.ACTIVE.remove(fade.layer)
        fade.layer = None
    before = [g.points for g in glyphs]
    fade.interpolate(0.5)
    assert fade.points_stay
    assert all(g.points is p for g, p in zip(glyphs, before))  # manim would set new arrays each frame
    assert all(0.2 < g.get_fill_opacity() < 0.8 for g in glyphs)
    fade.interpolate(1.0)
    assert all(g.get_fill_opacity() == 1 for g in glyphs)
    tracked = FadeIn(Group(shapes[0], ValueTracker(3)))  # a tracker's one point is its value: manim's way
    tracked.begin()
    tracked.interpolate(0.5)
    assert not tracked.points_stay
    moving = FadeIn(shapes[1], shift=UP)  # a fade that moves its mobject still moves it
    moving.begin()
    moving.interpolate(0.0)
    assert not moving.points_stay and shapes[1].get_y() < shapes[0].get_y() - 1


def test_layered_fades_blend_manims_picture():
    """A plain fade blended as one picture gives manim's frames; a fade drawn apart falls back to manim's."""
    from manim import BLUE, DOWN, LEFT, RED, RIGHT, UP, Circle, FadeIn, FadeOut, Square, Text, VGroup
    from manim.animation.fading import _Fade
    from manim.camera.camera import Camera

    from scenes.common import layers
    from scenes.common.paths import steady_fades

    steady_fades()
    layers.layered_fades()
    layers.layered_fades()  # every chapter's setup calls it: it must not wrap itself again
    assert getattr(_Fade.begin.manim_own, "layers", False) is False
    own_capture = Camera.capture_mobjects.manim_own
    apart = [Text("gut 0.137", font_size=40).to_edge(UP), Circle(radius=0.8).set_fill(RED, 0.5).set_stroke(width=0).to_edge(LEFT),
             Square().set_stroke(BLUE, width=6).to_edge(RIGHT), Text("→ positive", font_size=30).to_edge(DOWN)]
    group = VGroup(*apart)

    def frames(fade, alphas, reference: bool, shown=None):
        shown = [group] if shown is None else shown
        out = []
        for alpha in alphas:
            fade.interpolate(alpha)
            cam = Camera(pixel_width=480, pixel_height=270)
            if reference:
                fade.layer, layer = None, fade.layer  # manim's own per-part interpolation
                fade.interpolate(alpha)
                own_capture(cam, shown)
                fade.layer = layer
            else:
                cam.capture_mobjects(shown)
            out.append(cam.pixel_array.astype(int))
        return out

    for kind in (FadeIn, FadeOut):
        fade = kind(group)
        fade.begin()
        assert fade.layer in layers.ACTIVE
        alphas = [0.2, 0.5, 0.8]
        mine, theirs = frames(fade, alphas, False), frames(fade, alphas, True)
        for a, b in zip(mine, theirs):
            assert b.std() > 3  # something is on screen
            assert np.abs(a - b).max() <= 2  # 8-bit rounding of the layer, nothing more
        assert np.abs(mine[0] - mine[2]).max() > 50  # the opacity really changes
        fade.finish()
        assert fade.layer is None and not layers.ACTIVE
        assert all(m.get_fill_opacity() == (1 if kind is FadeIn else 0) for m in apart[0].family_members_with_points())
        if kind is FadeOut:
            fade.interpolate(0)  # FadeOut's clean-up puts the full mobject back, as manim does
            assert apart[0][0].get_fill_opacity() == 1

    # Parts that overlap (a stroke on its own fill) fade as one picture: manim lets the fill show through
    # the stroke halfway. Only the stroke's ring differs by more than rounding.
    ring = VGroup(Circle(radius=1.5).set_fill(RED, 0.5).set_stroke(BLUE, width=8))
    fade = FadeIn(ring)
    fade.begin()
    [mine], [theirs] = frames(fade, [0.5], False, [ring]), frames(fade, [0.5], True, [ring])
    fade.finish()
    ys, xs = np.nonzero(np.abs(mine - theirs).max(axis=2) > 2)
    assert len(ys) > 0  # the two ways differ here, and only on the ring
    radius_px = 1.5 * 270 / 8  # frame height 8 units over 270 pixels
    dist = np.hypot(xs + 0.5 - 240, ys + 0.5 - 135)
    assert np.all(np.abs(dist - radius_px) < 3)

    # Drawn apart: another mobject sits between the fade's parts in z-order, so the frame is manim's own.
    other = Square(side_length=5).set_fill(BLUE, 0.6).set_z_index(1)
    apart[3].set_z_index(2)
    fade = FadeIn(group)
    fade.begin()
    [mine], [theirs] = frames(fade, [0.5], False, [group, other]), frames(fade, [0.5], True, [group, other])
    assert np.array_equal(mine, theirs)
    fade.finish()
    apart[3].set_z_index(0)

    # Fades that are not one picture at one opacity keep manim's way.
    for fade in (FadeIn(group, shift=UP), FadeIn(group, lag_ratio=0.3), FadeOut(group, scale=0.5)):
        fade.begin()
        assert fade.layer is None
        fade.finish()
    ticking = Circle().add_updater(lambda m, dt: m)
    fade = FadeIn(VGroup(ticking))
    fade.begin()
    assert fade.layer is None
    fade.finish()
    assert not layers.ACTIVE


def test_kept_display_list_follows_every_family_change():
    """The camera's kept list of what to draw is worked out again whenever a family changes, at any depth."""
    from manim import BLUE, LEFT, RED, RIGHT, Circle, Dot, Square, VGroup, VMobject
    from manim.camera.camera import Camera
    from manim.utils.family import extract_mobject_family_members

    from scenes.common import layers

    layers.layered_fades()
    own_capture = Camera.capture_mobjects.manim_own
    inner = VGroup(Square().shift(LEFT * 2))
    root = VGroup(inner, Circle().set_fill(RED, 0.5))
    moving = extract_mobject_family_members([root], use_z_index=True)  # what manim hands over each frame
    cam, ref = Camera(pixel_width=320, pixel_height=180), Camera(pixel_width=320, pixel_height=180)

    def same_as_manim() -> bool:
        cam.reset(), ref.reset()
        cam.capture_mobjects(moving, include_submobjects=True)
        own_capture(ref, moving, include_submobjects=True)
        return np.array_equal(cam.pixel_array, ref.pixel_array)

    assert same_as_manim()
    kept = cam._shown_kept
    assert same_as_manim() and cam._shown_kept is kept  # nothing changed: the kept list is used
    late = VGroup()
    inner.add(late)  # a child added ...
    assert same_as_manim() and cam._shown_kept is not kept
    late.add(Dot(RIGHT * 3, radius=0.3).set_color(BLUE))  # ... and a grandchild under it, a frame later
    assert same_as_manim()
    blank = cam.pixel_array.copy()
    inner.submobjects[0] = Square(side_length=0.5)  # a child replaced in place
    assert same_as_manim() and not np.array_equal(cam.pixel_array, blank)
    root[1].set_points(np.zeros((0, 3)))  # a member emptied of its points
    assert same_as_manim()
    grown = VMobject()
    inner.add(grown)
    assert same_as_manim()
    grown.set_points_as_corners([[0, 0, 0], [2, 1, 0], [1, 2, 0]])  # a member given points
    assert same_as_manim()
    inner.submobjects[0].set_z_index(-1)  # drawing order changed
    assert same_as_manim()
