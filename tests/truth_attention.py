"""Truth checks of Ch06-Ch10 (attention): every sentence said is true of the review's assets.

``TRUTH[cls](assets, said)`` asserts, for one review's assets (name -> asset dict) and the
:class:`~model.claims.Said` the chapter's rule returned, that each line not in ``said.off``
states what the arrays show, recomputed here from the inputs where possible (W from X, the
shuffled outputs from X[perm], correlations from the weights), and that every field a said
line uses is filled. The lead's sweep calls these on hundreds of real reviews.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from model.claims import Said
from model.claims.attention import AGREE, DIFFER, EVEN_CLOSE, ROUNDING, SMALL_GAP
from scenes.chapters import scene_class

F32 = float(np.finfo(np.float32).eps)


def _filled(cls: str, said: Said) -> dict[str, str]:
    """Every line said, filled in; fails on a field a said line needs but the rule left out or empty."""
    out = {}
    for key, line in scene_class(cls).NARRATION.items():
        if key in said.off:
            continue
        for name in re.findall(r"\{(\w+)\}", line):
            assert name in said.fields, f"{cls}[{key}] needs field {name!r}"
            assert said.fields[name] or name == "r_over", f"{cls}[{key}]: field {name!r} is empty"
        out[key] = line.format_map(said.fields)
    return out


def _softmax_rows(S: np.ndarray) -> np.ndarray:
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _raw(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw self-attention, recomputed in float64: (W, Y)."""
    X = np.asarray(X, dtype=np.float64)
    W = _softmax_rows(X @ X.T / math.sqrt(X.shape[1]))
    return W, W @ X


def _said(lines: dict, *keys: str) -> list[str]:
    return [k for k in keys if k in lines]


def _one_of(lines: dict, keys: tuple[str, ...], why: str) -> None:
    got = _said(lines, *keys)
    assert len(got) == 1, f"exactly one of {keys} must be said ({why}); said {got}"


def _quoted(words: list[str], field: str) -> None:
    for w in words:
        assert w[:10] in field, f"{w!r} is not in {field!r}"


def ch06(assets: dict, said: Said) -> None:
    a = assets["attention"]
    lines = _filled("Ch06SelfAttention", said)
    X, W = np.asarray(a["X"], dtype=float), np.asarray(a["W"], dtype=float)
    n = X.shape[0]
    W_true, _ = _raw(X)
    assert np.allclose(W, W_true, atol=1e-5), "the stored W is not softmax(X Xᵀ / √d)"
    if "tokens" in assets:  # the words shown are the review's first words, all of them when under 5
        review = list(assets["tokens"]["words"])
        assert list(a["tokens"]) == review[:n] and (n == 5 or len(review) == n), "not the review's first words"
    if "x" in lines:
        words = {1: "is the one word", 5: "are the first 5 words"}.get(n, f"are all {n} words")
        assert words in lines["x"], f"Ch06 x: {n} words shown, the line says {lines['x']!r}"
    if "self" in lines:
        for i in range(n):
            others = np.delete(W_true[i], i)
            assert n > 1 and W_true[i, i] > others.max(), f"word {i} gives another word at least its own weight"
    _one_of(lines, ("even", "uneven", "single"), f"{n} words")
    share = 1 / n
    if "even" in lines or "uneven" in lines:
        lo, hi = float(said.fields["w_lo"]), float(said.fields["w_hi"])
        k = len(said.fields["w_lo"].split(".")[1])
        assert abs(lo - W_true.min()) <= 0.6 * 10 ** -k and abs(hi - W_true.max()) <= 0.6 * 10 ** -k, (lo, hi)
        assert abs(float(said.fields["share"]) - share) < 0.006, said.fields["share"]
        spread = float(np.abs(W_true - share).max())
        if "even" in lines:
            assert spread <= EVEN_CLOSE * share + 1e-6, f"a weight is {spread:.3f} from an even share {share:.3f}"
            # nearly equal weights come only from nearly equal scores: e^(s_max - s_min) = w_max / w_min
            assert np.all(np.ptp(np.log(W_true), axis=1) < 1.0), "some row's scores are not nearly equal"
        else:
            assert spread > EVEN_CLOSE * share - 1e-6, "the weights are close to an even share, yet called uneven"
    if "single" in lines:
        assert n == 1 and math.isclose(W_true[0, 0], 1.0), "one word, one weight of 1"


def _shuffled(a: dict) -> tuple[list[int], bool]:
    perm = [int(p) for p in a["perm"]]
    tokens = list(a["tokens"])
    assert sorted(perm) == list(range(len(tokens))), "perm is no reordering"
    assert list(a["tokens_perm"]) == [tokens[i] for i in perm]
    return perm, [tokens[i] for i in perm] != tokens


def ch07(assets: dict, said: Said) -> None:
    a = assets["attention"]
    lines = _filled("Ch07Permutation", said)
    tokens = list(a["tokens"])
    n = len(tokens)
    perm, moved = _shuffled(a)
    _one_of(lines, ("words", "words_one"), f"{n} words")
    assert ("words_one" in lines) == (n == 1) and ("alone" in lines) == (n == 1), "a single word, or not"
    if "same" in lines:
        assert n > 1 and len(set(tokens)) == 1, "'every order reads the same' needs one word repeated"
    assert ("shuffle" in lines) == moved, "the shuffle is said exactly when the words change order"
    if not moved:
        assert n == 1 or len(set(tokens)) == 1, "the export left a reorderable review in order"
        return
    X = np.asarray(a["X"], dtype=float)
    _, Y_true = _raw(X)
    _, Yp_true = _raw(X[perm])
    assert np.allclose(np.asarray(a["Y"]), Y_true, atol=1e-5) and np.allclose(np.asarray(a["Y_perm"]), Yp_true,
                                                                              atol=1e-5)
    Y, Yp = np.asarray(a["Y"], dtype=float), np.asarray(a["Y_perm"], dtype=float)
    gap = float(np.abs(Yp - Y[perm]).max())
    top = max(float(np.abs(Y).max()), float(np.abs(Yp).max()))
    if "match" in lines:  # each shuffled row is its word's row, up to float32 rounding
        assert gap <= ROUNDING * top, f"rows differ by {gap:.2e} (values up to {top:.3f}): more than rounding"
        assert list(a["matched_rows"]) == perm
    if "follow" in lines:
        i, k = (int(v) for v in a["followed_row"])
        assert i != k and tokens[i] == a["tokens_perm"][k], f"word {i} in order, {k} shuffled: not one word moved"
        assert np.abs(Yp[k] - Y[i]).max() <= ROUNDING * top
    _one_of(lines, ("gap", "gap_none", "gap_more"), "the shuffled review")
    if "gap" in lines:
        assert 0 < gap <= ROUNDING * top, f"'only rounding separates them', yet the gap is {gap:.2e}"
    if "gap_none" in lines:
        assert gap == 0, f"'not even rounding', yet the gap is {gap:.2e}"
    if "gap_more" in lines:
        assert gap > ROUNDING * top and abs(float(said.fields["gap"]) - gap) <= 0.5 * gap


def ch08(assets: dict, said: Said) -> None:
    a = assets["attention"]
    lines = _filled("Ch08Positions", said)
    tokens = list(a["tokens"])
    n = len(tokens)
    perm, moved = _shuffled(a)
    assert ("p_one" in lines) == ("add_one" in lines) == ("alone" in lines) == (n == 1)
    if "same" in lines:
        assert n > 1 and len(set(tokens)) == 1
    assert ("again" in lines) == moved
    if not moved:
        assert not _said(lines, "gap", "gap_large", "gap_some", "gap_none", "differ", "order")
        return
    X, P = np.asarray(a["X"], dtype=float), np.asarray(a["P"], dtype=float)
    _, Yp = _raw(X + P)
    _, Ypp = _raw(X[perm] + P)
    assert np.allclose(np.asarray(a["Y_pos"]), Yp, atol=1e-5) and np.allclose(np.asarray(a["Y_pos_perm"]), Ypp,
                                                                              atol=1e-5)
    Yp, Ypp = np.asarray(a["Y_pos"], dtype=float), np.asarray(a["Y_pos_perm"], dtype=float)
    gaps = np.abs(Ypp - Yp[perm]).max(axis=1)
    top = max(float(np.abs(Yp).max()), float(np.abs(Ypp).max()))
    real = gaps > ROUNDING * top  # linked rows that differ by more than rounding
    _one_of(lines, ("gap", "gap_large", "gap_some", "gap_none"), "the shuffled review")
    if "gap" in lines or "gap_large" in lines:
        assert real.all(), f"'the linked rows differ', yet {int((~real).sum())} pairs agree to rounding"
        small = gaps.max() <= SMALL_GAP * top
        assert small == ("gap" in lines), f"largest gap {gaps.max():.4f} against values up to {top:.4f}"
    if "gap_some" in lines:
        assert real.any() and not real.all() and int(said.fields["n_differ"]) == int(real.sum())
    if "gap_none" in lines:
        assert not real.any()
    for key in _said(lines, "gap", "gap_large", "gap_some"):
        assert abs(float(said.fields["gap"]) - gaps.max()) <= 0.0006 + 0.01 * gaps.max(), said.fields["gap"]
        if "{top}" in scene_class("Ch08Positions").NARRATION[key]:
            assert abs(float(said.fields["top"]) - top) <= 0.0006 + 0.01 * top
    if "differ" in lines:  # one word shown in its two places: it moved, and its output row changed
        i, k = (int(v) for v in a["changed_row"])
        assert i != k, f"the word followed, {tokens[i]!r}, keeps its place {i}: it has only one place"
        assert perm[k] == i and tokens[i] == a["tokens_perm"][k]
        assert real[k], "the word followed has the same output row in both places"
    assert ("order" in lines) == bool(real.any())


def ch09(assets: dict, said: Said) -> None:
    b = assets["block"]
    lines = _filled("Ch09QueryKeyValue", said)
    tokens = [str(t) for t in b["tokens"]]
    n, H = len(tokens), int(b["n_heads"])
    Wts = np.asarray(b["weights"], dtype=float)
    S = np.asarray(b["scores"], dtype=float)
    assert np.allclose(np.stack([_softmax_rows(s) for s in S]), Wts, atol=1e-5), "weights are not softmax(scores)"
    if "x" in lines:
        assert said.fields["n_tokens"] == (f"{n:,} token" + ("s" if n != 1 else ""))
    assert ("head" in lines) == (H > 1) and ("head_one" in lines) == (H == 1)
    assert ("alone" in lines) == (n == 1)
    if "alone" in lines:
        assert np.allclose(Wts[:, 0, 0], 1.0), "a single token's weight on itself is 1"
    h = int(b["head_shown"])
    W = Wts[h]
    if "links" in lines:  # the shown head's strongest link between two different tokens, against 1/n
        off = W.copy()
        np.fill_diagonal(off, -1)
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        assert off.max() >= np.delete(Wts, h, axis=0).max(initial=-1, where=~np.eye(n, dtype=bool)) - 1e-9, (
            "the head shown is not the head of the strongest link")
        assert i != j and tokens[i][:10] in said.fields["q"] and tokens[j][:10] in said.fields["k"]
        ratio = off.max() * n
        text = said.fields["link_vs_even"]
        if text.endswith("times an even share"):
            assert abs(float(text.split()[0]) - ratio) <= 0.051, (text, ratio)
        elif text == "about an even share":
            assert abs(ratio - 1) < 0.05
        else:
            assert abs(float(text.split()[0]) - ratio) <= 0.006 and ratio < 1, (text, ratio)
    got = W.sum(axis=0) - np.diag(W)  # weight each token draws from all the others
    if "draw" in lines:
        names = re.findall(r"“([^”]*)”", said.fields["drawn"])
        best = tokens[int(np.argmax(got))]
        assert names and best.startswith(names[0].rstrip("…")), f"{best!r} draws the most weight, not {names[0]!r}"
        assert len(names) == len(set(names)) >= 2
        words = {}
        for j in range(n):  # each word's best column
            words[tokens[j]] = max(words.get(tokens[j], -1.0), float(got[j]))
        ranked = sorted(words.values(), reverse=True)
        for rank, name in enumerate(names):  # the named words are the top distinct words, in order
            hit = [v for w, v in words.items() if w.startswith(name.rstrip("…"))]
            assert hit and max(hit) >= ranked[rank] - 1e-6, f"{name!r} is not the word ranked {rank + 1}"
        ratio = got.max() / ((n - 1) / n)
        assert abs(float(said.fields["drawn_vs_even"]) - ratio) <= 0.051, (said.fields["drawn_vs_even"], ratio)
    if "draw_one" in lines:
        assert n > 1 and len(set(tokens)) == 1


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel() - a.mean(), b.ravel() - b.mean()
    return float(a @ b / math.sqrt((a @ a) * (b @ b)))


def ch10(assets: dict, said: Said) -> None:
    b = assets["block"]
    lines = _filled("Ch10MultiHead", said)
    tokens = [str(t) for t in b["tokens"]]
    n, H = len(tokens), int(b["n_heads"])
    Wts = np.asarray(b["weights"], dtype=float)
    assert ("heads_alone" in lines) == ("shapes_alone" in lines) == (n == 1)
    _one_of(lines, ("heads", "heads_agree", "heads_partly", "heads_differ", "heads_alone"), f"{n} tokens")
    if n == 1:
        assert np.allclose(Wts[:, 0, 0], 1.0)
    keys = _said(lines, "heads_agree", "heads_partly", "heads_differ")
    if keys:
        rs = [_corr(Wts[p], Wts[q]) for p in range(H) for q in range(p + 1, H)]
        r = float(np.mean(rs))
        assert abs(float(said.fields["r"]) - r) <= 0.0051, (said.fields["r"], r)
        want = "heads_agree" if r >= AGREE else "heads_differ" if r < DIFFER else "heads_partly"
        assert keys == [want], f"weights correlate at {r:.3f}: {want}, not {keys[0]}"
    pair = [int(h) for h in b["heads_compared"]]
    pk = _said(lines, "pair_links", "pair_key", "pair_same")
    assert len(pk) <= 1
    if pk:
        ends = []
        for h in pair:  # each head's strongest link between two different tokens, recomputed
            off = Wts[h].copy()
            np.fill_diagonal(off, -1)
            i, j = np.unravel_index(int(np.argmax(off)), off.shape)
            ends.append((tokens[i], tokens[j]))
            assert i != j
        (q1, k1), (q2, k2) = ends
        _quoted([q1], said.fields["qa"]), _quoted([k1], said.fields["ka"])
        _quoted([q2], said.fields["qb"]), _quoted([k2], said.fields["kb"])
        if pk == ["pair_links"]:
            assert k1 != k2, f"'their strongest links differ', yet both point at {k1!r}"
        elif pk == ["pair_key"]:
            assert k1 == k2 and q1 != q2
        else:
            assert (q1, k1) == (q2, k2)


TRUTH: dict[str, Callable[[dict, Said], None]] = {
    "Ch06SelfAttention": ch06, "Ch07Permutation": ch07, "Ch08Positions": ch08, "Ch09QueryKeyValue": ch09,
    "Ch10MultiHead": ch10,
}
