"""ValueMatrix and what is drawn with it (scenes/common/matrices.py, and ``titled`` from layout.py).
No rendering, no assets."""
from __future__ import annotations

import numpy as np
import pytest
from kit_fixtures import private_media  # noqa: F401  (autouse fixture)
from manim import Text, VGroup

from scenes.common import ValueMatrix, col_labels, fmt, place_like, row_box, shared_digits, titled, vmatrix


def test_value_matrix_shows_the_leading_block_and_says_so():
    arr = np.arange(10 * 20, dtype=float).reshape(10, 20) / 7 - 9
    vm = ValueMatrix(arr, max_rows=4, max_cols=5)
    assert vm.shown_rows == [0, 1, 2, 3] and vm.shown_cols == [0, 1, 2, 3, 4]
    assert vm.row_ellipsis and vm.col_ellipsis
    assert len(vm.cells) == 4 * 5
    assert len(vm.ellipses) == 4 + 5  # one "…" per shown row, one "⋮" per shown column
    assert vm.note_text == "first 4 of 10 rows, first 5 of 20 columns"
    assert vm.note_parts == ["first 4 of 10 rows", "first 5 of 20 columns"]
    numbers = [cell[1].original_text for cell in vm.cells]
    assert numbers == [fmt(arr[r, c]) for r in range(4) for c in range(5)]


def test_value_matrix_without_ellipsis():
    arr = np.array([[1.0, -2.5], [0.25, 3.0]])
    vm = ValueMatrix(arr, max_rows=6, max_cols=6, digits=1, row_labels=["one", "two"])
    assert not vm.row_ellipsis and not vm.col_ellipsis
    assert len(vm.ellipses) == 0 and vm.note_text == "" and vm.note_parts == []
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


def test_shared_digits_give_matrices_one_width():
    a, b = np.array([[1.77, -0.5]]), np.array([[0.567, 0.012]])
    assert vmatrix(b).digits == 3  # on its own, the format its values need ...
    k = shared_digits(a, b)
    ma, mb = vmatrix(a, digits=k), vmatrix(b, digits=k)  # ... together, the one that suits the larger
    assert ma.digits == mb.digits == 2 and ma.width == pytest.approx(mb.width)
    assert [c[1].original_text for c in mb.cells] == ["0.57", "0.01"]


def test_column_labels_sit_clear_above_their_columns_and_follow_a_replacing_matrix():
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


def test_titled_puts_a_name_above_and_the_shape_and_notes_below():
    vm = vmatrix(np.ones((8, 9)), max_rows=6, max_cols=2)
    one = titled(vm, "X", (8, 9), vm.note_text)
    head, body, foot = one
    assert body is vm and head.get_bottom()[1] > vm.get_top()[1] and foot.get_top()[1] < vm.get_bottom()[1]
    assert [t.original_text for t in foot] == ["8 × 9", vm.note_text]
    split = titled(vmatrix(np.ones((8, 9)), max_rows=6, max_cols=2), "X", (8, 9), vm.note_parts)
    assert [t.original_text for t in split[2]] == ["8 × 9", *vm.note_parts]  # one note a line
    ys = [t.get_y() for t in split[2]]
    assert ys == sorted(ys, reverse=True)
    assert len(titled(vmatrix(np.ones((2, 2))), "W", (2, 2))[2]) == 1  # no note: only the shape
    box = row_box(vm, 1)
    assert box.get_top()[1] > vm.rows[1].get_top()[1] > vm.rows[1].get_bottom()[1] > box.get_bottom()[1]
