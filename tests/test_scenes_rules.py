"""The rules chapters pick their examples by (each in its own chapter file), on small made-up arrays.

These test chapters, so they import them: a chapter's own names only, never a helper another chapter
shares (those are in scenes/common; test_layout_rules.py checks it).
"""
from __future__ import annotations

import numpy as np
import pytest

from scenes.ch07_permutation import match_rows
from scenes.ch09_qkv import pick_links
from scenes.ch10_multihead import strongest_link


def test_match_rows_finds_equal_rows_not_positions():
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # rows 0 and 2 are equal
    assert match_rows(Y, Y[[2, 0, 1]], [2, 0, 1]) == [2, 0, 1]
    assert match_rows(Y, Y[[1, 0, 2]], [1, 2, 0]) == [1, 2, 0]  # ties: perm's choice wins
    with pytest.raises(ValueError):
        match_rows(Y, Y + 5, [0, 1, 2])


def test_pick_links_and_strongest_link():
    links = [(1, 3, 2, 0.9), (0, 1, 7, 0.8), (1, 3, 5, 0.7), (1, 4, 2, 0.6)]
    assert pick_links(links) == [(1, 3, 2, 0.9), (1, 4, 2, 0.6)]  # same head, another query token
    assert pick_links(links[:2]) == [(1, 3, 2, 0.9)]
    w = np.array([[0.9, 0.1, 0.0], [0.3, 0.2, 0.5], [0.0, 0.4, 0.6]])
    assert strongest_link(w, links, 0)[:2] == (1, 7)  # listed in the asset
    assert strongest_link(w, links, 2) == (1, 2, 0.5)  # else the largest weight off the diagonal
