"""Data sentences of Ch06-Ch10 (attention): see :mod:`model.claims`.

Every threshold a sentence rests on is a constant here, so the rules, the scenes and the truth
checks (tests/truth_attention.py) share one meaning of "close to even", "only rounding" and
"mostly agree".
"""
from __future__ import annotations

import numpy as np

from . import Load, Said, count_words, listed, pick, quoted, rule

EVEN_CLOSE = 0.25  # every weight within this fraction of an even share 1/n: "close to an even share"
ROUNDING = 64 * float(np.finfo(np.float32).eps)  # gaps below this fraction of the largest value: rounding
SMALL_GAP = 0.25  # a gap below this fraction of the largest output value is "small"
AGREE, DIFFER = 0.7, 0.3  # correlation of two heads' weights: "mostly agree" at or above, "differ" below
TOP_DRAWN = 2  # Ch09 names up to this many of the words that draw the most weight
LONGEST = 16  # a quoted token longer than this is cut, with an ellipsis


def quote(token: str) -> str:
    """A token as the narration quotes it: in curly quotes, cut to :data:`LONGEST` characters."""
    return quoted(token, LONGEST)


def decimals(x: float, places: int = 2) -> str:
    """``x`` with ``places`` decimals, or more when that would print it as zero (never "0.00")."""
    for k in range(places, 7):
        text = f"{x:.{k}f}"
        if float(text) != 0 or x == 0:
            return text
    return f"{x:.6f}"


def times_even(w: float, n: int) -> str:
    """Weight ``w`` against an even share ``1 / n``: "1.6 times an even share", "about an even share"."""
    ratio = w * n
    if abs(ratio - 1) < 0.05:
        return "about an even share"
    if ratio > 1:
        return f"{ratio:.1f} times an even share"
    return f"{decimals(ratio)} of an even share"


def rounding_level(gap: float, *arrays) -> bool:
    """Whether ``gap`` is no more than float32 rounding of values as large as those in ``arrays``."""
    top = max((float(np.abs(a).max()) for a in arrays if np.size(a)), default=0.0)
    return gap <= ROUNDING * max(top, 1e-30)


def _reordered(a: dict) -> bool:
    return list(a["tokens_perm"]) != list(a["tokens"])


# --- Ch06: raw self-attention --------------------------------------------------------------------

@rule("Ch06SelfAttention")
def self_attention(load: Load) -> Said:
    """Which words are shown, whether each word weighs itself most, and how even the weights are."""
    a = load("attention")
    W = np.asarray(a["W"], dtype=float)
    n = W.shape[0]
    share = 1.0 / n
    off = W - np.diag(np.full(n, np.inf))  # the diagonal out of the running
    self_most = n > 1 and bool(np.all(np.diag(W) > off.max(axis=1)))  # strictly: a repeated word ties
    even = n > 1 and float(np.abs(W - share).max()) <= EVEN_CLOSE * share
    lo, hi = float(W.min()), float(W.max())
    k = next((k for k in range(2, 5) if f"{lo:.{k}f}" != f"{hi:.{k}f}"), 4)
    which = ("is the one word of our review" if n == 1 else
             f"are the first {n} words of our review" if n == 5 else f"are all {n} words of our review")
    fields = {"which": which, "w_lo": f"{lo:.{k}f}", "w_hi": f"{hi:.{k}f}", "share": f"{share:.2f}".rstrip("0"),
              "top_vs_even": times_even(hi, n)}
    return Said(fields, pick({"self": self_most, "even": even, "uneven": n > 1 and not even, "single": n == 1}),
                {"n": n, "self_most": self_most, "even": even, "w_min": lo, "w_max": hi, "share": share})


# --- Ch07: shuffle the words ---------------------------------------------------------------------

@rule("Ch07Permutation")
def permutation(load: Load) -> Said:
    """Whether there is anything to shuffle, and whether the shuffled rows really match, to rounding."""
    a = load("attention")
    n = len(a["tokens"])
    moved = _reordered(a)
    facts: dict[str, object] = {"n": n, "reordered": moved}
    same_rows = gap_zero = False
    if moved:
        Y, Yp, perm = np.asarray(a["Y"], dtype=float), np.asarray(a["Y_perm"], dtype=float), list(a["perm"])
        gap = float(np.abs(Yp - Y[perm]).max())
        same_rows = list(a["matched_rows"]) == perm and rounding_level(gap, Y, Yp)
        gap_zero = gap == 0.0
        i, k = a["followed_row"]
        facts.update(gap=gap, same_rows=same_rows, followed=(int(i), int(k)))
        follow = same_rows and int(i) != int(k)
    else:
        follow = False
    fields = {"gap": decimals(float(facts["gap"])) if moved else ""}
    return Said(fields, pick({
        "words": n > 1, "words_one": n == 1, "shuffle": moved, "alone": n == 1, "same": n > 1 and not moved,
        "run": moved, "match": same_rows, "follow": follow, "gap": same_rows and not gap_zero,
        "gap_none": same_rows and gap_zero, "gap_more": moved and not same_rows,
        "why": moved, "why_unshown": not moved}), facts)


# --- Ch08: positions -----------------------------------------------------------------------------

@rule("Ch08Positions")
def positions(load: Load) -> Said:
    """Whether the linked rows now differ, how much, and whether the word followed really moved."""
    a = load("attention")
    n = len(a["tokens"])
    moved = _reordered(a)
    facts: dict[str, object] = {"n": n, "reordered": moved}
    fields: dict[str, str] = {}
    options = {"p": n > 1, "p_one": n == 1, "add": n > 1, "add_one": n == 1, "alone": n == 1,
               "same": n > 1 and not moved, "again": moved}
    if moved:
        Yp, Ypp, perm = np.asarray(a["Y_pos"], dtype=float), np.asarray(a["Y_pos_perm"], dtype=float), list(a["perm"])
        diffs = np.abs(Ypp - Yp[perm]).max(axis=1)
        top = float(max(np.abs(Yp).max(), np.abs(Ypp).max()))
        differ = [not rounding_level(float(g), Yp, Ypp) for g in diffs]
        gap = float(diffs.max())
        i, k = (int(v) for v in a["changed_row"])
        shown = i != k and perm[k] == i and differ[k]  # a word that moved, and whose row changed
        facts.update(gaps=[float(g) for g in diffs], top=top, n_differ=sum(differ), changed=(i, k), shown=shown)
        fields.update(gap=decimals(gap, 3), top=decimals(top, 3), n_differ=str(sum(differ)), n_rows=str(n))
        every, some = all(differ), any(differ)
        options.update(gap=every and gap <= SMALL_GAP * top, gap_large=every and gap > SMALL_GAP * top,
                       gap_some=some and not every, gap_none=not some, differ=shown, order=some)
    else:
        options.update(gap=False, gap_large=False, gap_some=False, gap_none=False, differ=False, order=False)
    return Said(fields, pick(options), facts)


# --- Ch09: queries, keys and values --------------------------------------------------------------

def drawn_most(W: np.ndarray, tokens: list[str], most: int = TOP_DRAWN) -> tuple[list[int], np.ndarray]:
    """The columns drawing the most weight from the other tokens, and every column's such sum.

    Returns
    -------
    tuple
        Up to ``most`` columns (of different words; largest sum first, ties: lowest column) and,
        for every column j, the sum over the other tokens i != j of ``W[i, j]``.
    """
    n = W.shape[0]
    got = W.sum(axis=0) - np.diag(W)
    cols: list[int] = []
    for j in sorted(range(n), key=lambda j: (-got[j], j)):
        if len(cols) == most:
            break
        if all(tokens[j] != tokens[c] for c in cols):
            cols.append(j)
    return cols, got


@rule("Ch09QueryKeyValue")
def query_key_value(load: Load) -> Said:
    """The head's strongest link against an even share, and the words drawing the most weight."""
    b = load("block")
    tokens = [str(t) for t in b["tokens"]]
    n, H = len(tokens), int(b["n_heads"])
    h = int(b["head_shown"])
    W = np.asarray(b["weights"], dtype=float)[h]
    fields = {"n_tokens": count_words(n, "token"), "heads": count_words(H, "head")}
    facts: dict[str, object] = {"n": n, "head": h}
    links = [tuple(ln) for ln in b["links_shown"]]
    if n > 1 and links:
        _, i, j, w = links[0]
        cols, got = drawn_most(W, tokens)
        even_got = (n - 1) / n  # what a column gets from the other n - 1 tokens when every weight is 1/n
        fields.update(q=quote(tokens[i]), k=quote(tokens[j]), link_vs_even=times_even(float(w), n),
                      drawn=listed([quote(tokens[c]) for c in cols]),
                      drawn_vs_even=f"{got[cols[0]] / even_got:.1f}")
        facts.update(link=(int(i), int(j), float(w)), drawn=cols, drawn_sums=[float(got[c]) for c in cols])
    several = n > 1 and bool(links) and len(drawn_most(W, tokens)[0]) > 1
    return Said(fields, pick({"head": H > 1, "head_one": H == 1, "links": n > 1 and bool(links),
                              "draw": several, "draw_one": n > 1 and bool(links) and not several,
                              "alone": n == 1}), facts)


# --- Ch10: several heads -------------------------------------------------------------------------

def head_agreement(weights: np.ndarray) -> float | None:
    """The mean correlation, over every pair of heads, of their (n, n) weights; None when undefined."""
    Wts = np.asarray(weights, dtype=float).reshape(len(weights), -1)
    if len(Wts) < 2 or Wts.shape[1] < 2 or np.any(Wts.std(axis=1) == 0):
        return None
    c = np.corrcoef(Wts)
    return float(np.mean(c[np.triu_indices(len(Wts), 1)]))


@rule("Ch10MultiHead")
def multi_head(load: Load) -> Said:
    """How far the heads agree (their weights' correlation) and whether their strongest links differ."""
    b = load("block")
    tokens = [str(t) for t in b["tokens"]]
    n, H = len(tokens), int(b["n_heads"])
    r = head_agreement(np.asarray(b["weights"])) if n > 1 else None
    pair = [int(h) for h in b["heads_compared"]]
    hl = [b["head_links"][h] for h in pair]
    fields = {"n_heads": count_words(H, "head"), "r": "" if r is None else f"{r:.2f}",
              "r_over": "" if H <= 2 else " on average, pair by pair"}
    links_known = n > 1 and len(pair) == 2 and all(ln is not None for ln in hl)
    same_pair = same_key = False
    if links_known:
        (i1, j1, _), (i2, j2, _) = hl
        same_pair = (tokens[i1], tokens[j1]) == (tokens[i2], tokens[j2])
        same_key = tokens[j1] == tokens[j2]
        fields.update(qa=quote(tokens[i1]), ka=quote(tokens[j1]), qb=quote(tokens[i2]), kb=quote(tokens[j2]))
    agree, differ = r is not None and r >= AGREE, r is not None and r < DIFFER
    return Said(fields, pick({
        "heads": n > 1 and r is None, "heads_agree": agree, "heads_partly": r is not None and not agree and not differ,
        "heads_differ": differ, "heads_alone": n == 1, "compare": n > 1 and H > 2,
        "pair_links": links_known and not same_key, "pair_key": links_known and same_key and not same_pair,
        "pair_same": links_known and same_pair, "shapes": n > 1, "shapes_alone": n == 1}),
        {"n": n, "r": r, "pair": pair, "links": hl, "same_key": same_key, "same_pair": same_pair})
