"""The rules of Ch06-Ch10 (model/claims/attention.py) on small hand-made assets, both sides of every
choice, and the truth checks (truth_attention.py) on the committed assets.

The assets are built from a few made-up vectors with the same formulas the export uses, so each
case knows its answer from how it was made (weights near 1/n, a row nudged, two heads made equal).
"""
from __future__ import annotations

import numpy as np
import pytest
from truth_attention import TRUTH

from model import claims, store
from model.choices import choose_perm, head_choices, permutation_choices, strongest_links


def raw(X):
    S = X @ X.T / np.sqrt(X.shape[1])
    W = np.exp(S - S.max(axis=1, keepdims=True))
    W /= W.sum(axis=1, keepdims=True)
    return W, W @ X


def att_asset(tokens, X, P=None, **override):
    """attention.pkl for ``tokens`` with embeddings ``X`` (positions ``P``), as the export builds it."""
    X = np.asarray(X, dtype=float)
    P = np.zeros_like(X) if P is None else np.asarray(P, dtype=float)
    perm = choose_perm(tokens)
    W, Y = raw(X)
    out = {"tokens": list(tokens), "X": X, "W": W, "Y": Y, "perm": perm, "tokens_perm": [tokens[i] for i in perm],
           "Y_perm": raw(X[perm])[1], "P": P, "Y_pos": raw(X + P)[1], "Y_pos_perm": raw(X[perm] + P)[1]}
    out.update(override)
    out.update(permutation_choices(*(out[k] for k in ("tokens", "tokens_perm", "perm", "Y", "Y_perm", "Y_pos",
                                                      "Y_pos_perm"))))
    return out


def blk_asset(tokens, weights):
    weights = np.asarray(weights, dtype=float)
    links = strongest_links(weights)
    return {"tokens": list(tokens), "n_heads": len(weights), "weights": weights,
            "scores": np.log(weights), "links": links, **head_choices(weights, links)}


def said(cls, check=True, **assets):
    """The rule's Said, after the truth check (not for arrays nudged by hand: no attention makes those)."""
    s = claims.said(cls, lambda name: assets[name])
    if check:
        TRUTH[cls](assets, s)
    return s


def says(s, key):
    return key not in s.off


RNG = np.random.default_rng(0)
WORDS = ["just", "love", "the", "film", "now"]


# --- Ch06 -------------------------------------------------------------------------------------

def test_ch06_near_even_weights_are_called_even_with_their_range():
    s = said("Ch06SelfAttention", attention=att_asset(WORDS, RNG.normal(0, 0.05, (5, 8))))
    assert says(s, "even") and not says(s, "uneven") and not says(s, "single")
    assert s.fields["which"] == "are the first 5 words of our review" and s.fields["share"] == "0.2"
    lo, hi = float(s.fields["w_lo"]), float(s.fields["w_hi"])
    assert 0.15 < lo <= 0.2 <= hi < 0.25


def test_ch06_each_word_weighs_itself_most_only_strictly():
    big = att_asset(WORDS[:3], 3 * np.eye(3, 8))  # three orthogonal long vectors: each most like itself
    s = said("Ch06SelfAttention", attention=big)
    assert says(s, "self") and says(s, "uneven") and not says(s, "even")
    assert s.fields["which"] == "are all 3 words of our review"
    twice = np.stack([3 * np.eye(8)[0], 3 * np.eye(8)[0], 3 * np.eye(8)[1]])  # a word repeated ties with itself
    s = said("Ch06SelfAttention", attention=att_asset(["good", "good", "bad"], twice))
    assert not says(s, "self")


def test_ch06_one_word():
    s = said("Ch06SelfAttention", attention=att_asset(["wow"], np.ones((1, 8))))
    assert says(s, "single") and not says(s, "self") and not says(s, "even") and not says(s, "uneven")
    assert s.fields["which"] == "is the one word of our review"


# --- Ch07 -------------------------------------------------------------------------------------

def test_ch07_shuffled_rows_match_to_rounding():
    a = att_asset(WORDS, RNG.normal(0, 1, (5, 8)))
    a["Y_perm"] = a["Y"][a["perm"]] * (1 + 1e-9)  # rounding-sized
    s = said("Ch07Permutation", attention=a)
    for key in ("words", "shuffle", "run", "match", "follow", "gap", "why"):
        assert says(s, key), key
    for key in ("words_one", "alone", "same", "gap_none", "gap_more", "why_unshown"):
        assert not says(s, key), key


def test_ch07_exact_and_too_large_gaps():
    a = att_asset(WORDS, RNG.normal(0, 1, (5, 8)))
    a["Y_perm"] = a["Y"][a["perm"]].copy()
    s = said("Ch07Permutation", check=False, attention=a)
    assert says(s, "gap_none") and not says(s, "gap") and says(s, "match")
    a["Y_perm"] = a["Y_perm"] + 3e-4  # well past float32 rounding
    s = said("Ch07Permutation", check=False, attention=a)
    assert says(s, "gap_more") and not says(s, "match") and not says(s, "follow") and not says(s, "gap")
    assert s.fields["gap"] == "0.0003"


def test_ch07_nothing_to_shuffle():
    s = said("Ch07Permutation", attention=att_asset(["wow"], np.ones((1, 8))))
    assert says(s, "words_one") and says(s, "alone") and says(s, "why_unshown") and not says(s, "shuffle")
    s = said("Ch07Permutation", attention=att_asset(["the"] * 3, np.ones((3, 8))))
    assert says(s, "words") and says(s, "same") and not says(s, "alone") and not says(s, "match")


# --- Ch08 -------------------------------------------------------------------------------------

def ch08_case(nudge, changed=None):
    a = att_asset(WORDS, RNG.normal(0, 1, (5, 8)), P=RNG.normal(0, 1, (5, 8)))
    a["Y_pos_perm"] = a["Y_pos"][a["perm"]] + np.asarray(nudge, dtype=float)[:, None]
    a.update(permutation_choices(*(a[k] for k in ("tokens", "tokens_perm", "perm", "Y", "Y_perm", "Y_pos",
                                                  "Y_pos_perm"))))  # the export's choice, on the nudged rows
    if changed is not None:
        a["changed_row"] = changed
    return said("Ch08Positions", check=False, attention=a)


def test_ch08_small_large_some_and_no_gaps():
    s = ch08_case([0.01, 0.02, 0.01, 0.03, 0.01])
    assert says(s, "gap") and says(s, "differ") and says(s, "order") and s.fields["gap"] == "0.030"
    assert not says(s, "gap_large") and not says(s, "gap_some") and not says(s, "gap_none")
    s = ch08_case([0.01, 50.0, 0.01, 0.01, 0.01])
    assert says(s, "gap_large") and not says(s, "gap")
    s = ch08_case([0.0, 0.02, 0.0, 0.02, 0.0])
    assert says(s, "gap_some") and s.fields["n_differ"] == "2" and not says(s, "gap")
    s = ch08_case([0.0] * 5)
    assert says(s, "gap_none") and not says(s, "differ") and not says(s, "order")


def test_ch08_the_word_followed_moved():
    # the middle word of a reversal keeps its place: its row may change most, yet it is never followed
    s = ch08_case([0.01, 0.02, 0.05, 0.03, 0.01])
    assert says(s, "differ") and s.facts["changed"] == (1, 3)
    s = ch08_case([0.01, 0.02, 0.05, 0.03, 0.01], changed=(2, 2))  # an export that stored the middle word
    assert not says(s, "differ") and says(s, "gap")


def test_ch08_one_word_and_one_repeated_word():
    s = said("Ch08Positions", attention=att_asset(["wow"], np.ones((1, 8))))
    assert says(s, "p_one") and says(s, "add_one") and says(s, "alone") and not says(s, "again")
    s = said("Ch08Positions", attention=att_asset(["the"] * 3, np.ones((3, 8))))
    assert says(s, "p") and says(s, "same") and not says(s, "gap")


# --- Ch09 -------------------------------------------------------------------------------------

def test_ch09_strongest_link_against_an_even_share_and_the_words_drawing_most():
    w = np.full((4, 4), 0.2)
    w[:, 2] = 0.4  # every token gives "film" 0.4; "love" (column 1) gets 0.2 from each
    w[2] = [0.1, 0.5, 0.3, 0.1]  # "film" itself gives its strongest weight, 0.5, to "love"
    s = said("Ch09QueryKeyValue", block=blk_asset(["just", "love", "film", "now"], np.stack([w, w])))
    assert says(s, "links") and says(s, "draw") and not says(s, "alone") and not says(s, "draw_one")
    assert (s.fields["q"], s.fields["k"], s.fields["link_vs_even"]) == ("“film”", "“love”", "2.0 times an even share")
    assert s.fields["drawn"] == "“film” and “love”"  # 1.2 from the others, then 0.9
    assert s.fields["drawn_vs_even"] == "1.6"  # 1.2 against 3/4
    assert s.fields["n_tokens"] == "4 tokens" and s.fields["heads"] == "2 heads"


def test_ch09_one_token_and_one_word():
    s = said("Ch09QueryKeyValue", block=blk_asset(["wow"], np.ones((2, 1, 1))))
    assert says(s, "alone") and not says(s, "links") and not says(s, "draw") and s.fields["n_tokens"] == "1 token"
    s = said("Ch09QueryKeyValue", block=blk_asset(["the"] * 3, np.full((2, 3, 3), 1 / 3)))
    assert says(s, "draw_one") and not says(s, "draw") and s.fields["link_vs_even"] == "about an even share"


# --- Ch10 -------------------------------------------------------------------------------------

def soft(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def test_ch10_heads_agree_partly_or_differ_by_correlation():
    a = soft(RNG.normal(0, 1, (6, 6)))
    s = said("Ch10MultiHead", block=blk_asset(list("abcdef"), np.stack([a, a])))
    assert says(s, "heads_agree") and s.fields["r"] == "1.00"
    assert not says(s, "heads_differ") and not says(s, "heads_partly") and says(s, "pair_same")
    s = said("Ch10MultiHead", block=blk_asset(list("abcdef"), np.stack([a, soft(-np.log(a))])))
    assert says(s, "heads_differ") and not says(s, "heads_agree")
    b = soft(np.log(a) + 1.2 * RNG.normal(0, 1, (6, 6)))
    r = np.corrcoef(a.ravel(), b.ravel())[0, 1]
    s = said("Ch10MultiHead", block=blk_asset(list("abcdef"), np.stack([a, b])))
    assert says(s, "heads_partly") == (0.3 <= r < 0.7) and s.fields["r"] == f"{r:.2f}"


def test_ch10_links_differ_share_a_key_or_are_the_same():
    even = np.full((3, 3), 0.25)
    np.fill_diagonal(even, 0.5)
    h1, h2, h3 = even.copy(), even.copy(), even.copy()
    h1[0] = [0.2, 0.7, 0.1]  # "a" -> "b"
    h2[2] = [0.1, 0.6, 0.3]  # "c" -> "b": the same key
    h3[1] = [0.6, 0.2, 0.2]  # "b" -> "a": another key
    s = said("Ch10MultiHead", block=blk_asset(list("abc"), np.stack([h1, h2])))
    assert says(s, "pair_key") and not says(s, "pair_links") and (s.fields["qa"], s.fields["ka"]) == ("“a”", "“b”")
    s = said("Ch10MultiHead", block=blk_asset(list("abc"), np.stack([h1, h3])))
    assert says(s, "pair_links") and not says(s, "pair_key") and not says(s, "pair_same")


def test_ch10_one_token_and_flat_weights():
    s = said("Ch10MultiHead", block=blk_asset(["wow"], np.ones((2, 1, 1))))
    assert says(s, "heads_alone") and says(s, "shapes_alone") and not says(s, "shapes")
    assert not says(s, "pair_links") and not says(s, "heads_agree")
    s = said("Ch10MultiHead", block=blk_asset(list("ab"), np.full((2, 2, 2), 0.5)))  # no correlation to speak of
    assert says(s, "heads") and not says(s, "heads_agree") and says(s, "shapes")


# --- the committed assets -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", sorted(TRUTH))
def test_the_committed_assets_say_only_what_is_true(cls):
    names = store.read_manifest()["assets"]
    assets = {name: store.load(name) for name in names}
    s = claims.said(cls, lambda name: assets[name])
    TRUTH[cls](assets, s)


def test_the_committed_review_says_what_the_issue_found():
    """On the committed review: the two heads correlate at about 0.91 and point at the same word."""
    s = claims.said("Ch10MultiHead", store.load)
    assert says(s, "heads_agree") and s.fields["r"] == "0.91" and says(s, "pair_key")
    assert not says(s, "pair_links")
