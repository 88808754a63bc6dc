"""The selection rules of model/choices.py on small hand-made inputs, and the committed assets' stored
choices: each is the rule applied to the committed assets' own data.

The chapters draw these stored choices (test_scenes_rules.py); the export stores them for any review
(test_export_examples.py) and for tiny models (test_export_model.py).
"""
from __future__ import annotations

import numpy as np
import pytest

from model import store
from model.choices import (choose_perm, focus_head, furthest_moved, head_choices, heads_to_compare, match_rows,
                           most_changed, motivation_choices, motivation_pairs, moved_word, order_head, order_mapping,
                           permutation_choices, pick_links, strongest_link, strongest_links, strongest_other)

# --- Ch01: the motivation sentences --------------------------------------------------------------


def test_motivation_pairs_order_first_then_context_on_an_uncommon_word():
    toks = [["a", "b", "c"], ["x", "bank", "y"], ["c", "b", "a"], ["the", "river", "bank"]]
    assert motivation_pairs(toks, {"the"}) == ((1, 3, "bank"), (0, 2))
    toks = [["a", "cat", "sat"], ["a", "cat", "sat"], ["sat", "a", "cat"], ["we", "sat", "by", "the", "river"],
            ["the", "river", "sat"]]  # 0 and 1 read the same: not an order pair
    assert motivation_pairs(toks, {"the"}) == ((1, 3, "sat"), (0, 2))
    assert motivation_pairs(toks, {"the", "a", "cat", "sat"}) == ((3, 4, "river"), (0, 2))
    assert motivation_pairs([["b", "a"], ["a", "b"], ["an", "old", "river", "bank"], ["old", "river", "bank"]],
                            set()) == ((2, 3, "river"), (0, 1))  # the longest shared word
    assert motivation_pairs([["b", "a"], ["a", "b"], ["x", "dogs", "bank"], ["bank", "dogs"]], set()) == \
        ((2, 3, "dogs"), (0, 1))  # two of the longest length: the first in sentence a
    with pytest.raises(ValueError, match="another order"):
        motivation_pairs([["a", "b"], ["a", "c"]], set())
    with pytest.raises(ValueError, match="uncommon word"):
        motivation_pairs([["a", "b"], ["b", "a"], ["the", "x"], ["the", "y"]], {"the"})


def test_focus_head_strongest_other_and_the_moved_word():
    rows = [np.array([[0.9, 0.1], [0.5, 0.2]]), np.array([[0.1, 0.0], [0.6, 0.3]])]
    assert focus_head(rows) == 1  # the mean of each head's maxima: head 0 0.5, head 1 0.55 (head 0 has the top one)
    assert strongest_other(np.array([0.6, 0.3, 0.1]), 0) == 1 and strongest_other(np.array([0.6, 0.3, 0.1]), 1) == 0
    the = ["the", "dog", "chased", "the", "man"]
    assert order_mapping(the, ["the", "man", "chased", "the", "dog"]) == [0, 4, 2, 3, 1]  # repeats in order
    assert moved_word([0, 4, 2, 3, 1]) == (1, 4) and moved_word([1, 0, 2]) == (0, 1)
    wa = np.arange(18, dtype=float).reshape(2, 3, 3) / 17
    m = [0, 2, 1]
    same = wa[:, m][:, :, m]  # each head's map only reshuffled
    assert order_head(wa, same + np.array([0.0, 0.1])[:, None, None], m) == 1
    assert order_head(wa, same + np.array([0.1, 0.0])[:, None, None], m) == 0


def test_motivation_choices_end_to_end():
    w2 = np.zeros((2, 3, 3))
    w2[0, 1], w2[1, 1] = [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]  # "bank"'s row in "the bank opened"
    w3 = np.zeros((2, 2, 2))
    w3[0, 1], w3[1, 1] = [0.6, 0.4], [0.3, 0.7]  # and in "river bank"
    wa = np.arange(18, dtype=float).reshape(2, 3, 3) / 17
    m = [2, 1, 0]
    wb = wa[:, m][:, :, m] + np.array([0.1, 0.0])[:, None, None]  # head 0 changes beyond the reshuffle
    sents = [{"tokens": ["dog", "bit", "man"], "weights": wa}, {"tokens": ["man", "bit", "dog"], "weights": wb},
             {"tokens": ["the", "bank", "opened"], "weights": w2}, {"tokens": ["river", "bank"], "weights": w3}]
    assert motivation_choices(sents, {"the"}) == {
        "context_pair": (2, 3), "focus_word": "bank", "focus_places": (1, 1),
        "focus_head": 1,  # strongest other weight: head 0 (0.3 + 0.6) / 2, head 1 (0.8 + 0.3) / 2
        "focus_strongest": (2, 0), "order_pair": (0, 1), "order_mapping": [2, 1, 0], "order_head": 0,
        "moved_word": (0, 2)}


# --- Ch07 and Ch08: the reordered example ----------------------------------------------------------

def test_choose_perm_reverses_or_rotates():
    assert choose_perm(["a", "b", "c"]) == [2, 1, 0]
    assert choose_perm(["a", "b", "a"]) == [1, 2, 0]  # reversed reads the same: the first rotation that does not
    assert choose_perm(["x"]) == [0] and choose_perm(["g", "g", "g"]) == [2, 1, 0]  # nothing changes them


def test_match_rows_finds_equal_rows_not_positions():
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # rows 0 and 2 are equal
    assert match_rows(Y, Y[[2, 0, 1]], [2, 0, 1]) == [2, 0, 1]
    assert match_rows(Y, Y[[1, 0, 2]], [1, 2, 0]) == [1, 2, 0]  # ties: perm's choice wins
    assert match_rows(Y, Y, [1, 0, 2]) == [0, 1, 2]  # perm's choice is no equal row: the first equal one
    with pytest.raises(ValueError):
        match_rows(Y, Y + 5, [0, 1, 2])


def test_the_followed_words():
    assert furthest_moved([4, 3, 2, 1, 0]) == (4, 0)  # moved 4 places; the first of two such
    assert furthest_moved([0, 2, 1]) == (2, 1)
    Y = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    perm = [2, 0, 1]
    assert most_changed(Y, Y[perm] + np.array([[0.1, 0.0], [0.0, 0.3], [0.2, 0.2]]), perm) == (0, 1)
    # the middle word of a reversal keeps its place: however much its row changes, another word is followed
    assert most_changed(Y, Y[[2, 1, 0]] + np.array([[0.1, 0.0], [0.0, 0.9], [0.2, 0.2]]), [2, 1, 0]) == (0, 2)
    tokens, Y5 = ["a", "b", "c"], np.eye(3)
    assert permutation_choices(tokens, ["c", "b", "a"], [2, 1, 0], Y5, Y5[[2, 1, 0]], Y5, Y5 * 0.5) == {
        "matched_rows": [2, 1, 0], "followed_row": (2, 0), "changed_row": (2, 0)}
    assert permutation_choices(["g", "g"], ["g", "g"], [1, 0], Y5[:2], Y5[:2], Y5[:2], Y5[:2]) == {
        "matched_rows": None, "followed_row": None, "changed_row": None}  # nothing moved: nothing to follow


# --- Ch09 and Ch10: the heads --------------------------------------------------------------------

def test_strongest_links_off_the_diagonal_ties_by_head_then_position():
    w = np.array([[[0.9, 0.1, 0.0], [0.5, 0.5, 0.0], [0.2, 0.5, 0.3]],
                  [[0.4, 0.6, 0.0], [0.0, 1.0, 0.0], [0.5, 0.0, 0.5]]])
    assert strongest_links(w, 4) == [(1, 0, 1, 0.6), (0, 1, 0, 0.5), (0, 2, 1, 0.5), (1, 2, 0, 0.5)]


def test_pick_links_and_strongest_link():
    links = [(1, 3, 2, 0.9), (0, 1, 7, 0.8), (1, 3, 5, 0.7), (1, 4, 2, 0.6)]
    assert pick_links(links) == [(1, 3, 2, 0.9), (1, 4, 2, 0.6)]  # same head, another query token
    assert pick_links(links[:2]) == [(1, 3, 2, 0.9)] and pick_links([]) == []
    w = np.array([[0.9, 0.1, 0.0], [0.3, 0.2, 0.5], [0.0, 0.4, 0.6]])
    assert strongest_link(w, links, 0)[:2] == (1, 7)  # listed in the asset
    assert strongest_link(w, links, 2) == (1, 2, 0.5)  # else the largest weight off the diagonal
    assert strongest_link(np.ones((1, 1)), links, 1) is None  # one token: no link


def test_heads_to_compare():
    w = np.array([[[0.5, 0.5], [0.5, 0.5]], [[0.1, 0.9], [0.2, 0.8]], [[0.4, 0.6], [0.7, 0.3]]])
    assert heads_to_compare(w, [(1, 0, 1, 0.9), (2, 1, 0, 0.7)]) == (1, 2)  # the two strongest heads listed
    assert heads_to_compare(w, [(1, 0, 1, 0.9)]) == (1, 2)  # no other head listed: 0.7 (head 2) beats 0.5
    assert heads_to_compare(np.ones((2, 1, 1)), []) == (0, 1)  # one token: the next head
    assert heads_to_compare(w[1:2], [(0, 0, 1, 0.9)]) == (0,)  # one head: only that one
    assert head_choices(w, [(1, 0, 1, 0.9), (1, 1, 0, 0.2)]) == {
        "links_shown": [(1, 0, 1, 0.9), (1, 1, 0, 0.2)], "head_shown": 1,
        "head_links": [(0, 1, 0.5), (0, 1, 0.9), (1, 0, 0.7)], "heads_compared": (1, 2)}
    assert head_choices(np.ones((2, 1, 1)), []) == {"links_shown": [], "head_shown": 0,
                                                    "head_links": [None, None], "heads_compared": (0, 1)}


# --- the committed assets --------------------------------------------------------------------------

def test_the_committed_choices_are_the_rules_applied_to_the_committed_data():
    cl, tok, at, bl = (store.load(n) for n in ("classify", "tokens", "attention", "block"))
    assert cl["motivation"] == motivation_choices(cl["sentences"], {w for _, w, _ in tok["vocab_head"]})
    assert at["perm"] == choose_perm(at["tokens"])
    perm = permutation_choices(*(at[k] for k in ("tokens", "tokens_perm", "perm", "Y", "Y_perm", "Y_pos",
                                                 "Y_pos_perm")))
    assert {k: at[k] for k in perm} == perm and at["matched_rows"] is not None
    assert bl["links"] == strongest_links(np.asarray(bl["weights"]))
    heads = head_choices(np.asarray(bl["weights"]), bl["links"])
    assert {k: bl[k] for k in heads} == heads
