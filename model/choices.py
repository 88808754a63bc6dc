"""The selection rules: which sentence, word, head, row and link each chapter points at.

The export applies these rules once, to the very arrays it stores, and writes what they
chose into the assets (``assets/README.md`` names each key); the scenes draw the stored
choice and choose nothing. Plain numpy and lists in, builtins out: no torch, so the rules
can be tested on small hand-made inputs.
"""
from __future__ import annotations

import numpy as np

N_LINKS = 6  # strongest off-diagonal attention links kept for block.pkl
COMMON_IDS = 16  # the vocabulary's first ids (tokens.pkl's vocab_head): words too common to be Ch01's focus


# --- the motivation sentences (classify.pkl, Ch01Motivation) ---------------------------------

def motivation_pairs(token_lists: list[list[str]], common_words: set[str]) -> tuple[tuple[int, int, str],
                                                                                      tuple[int, int]]:
    """Which sentences show context and which show order.

    Parameters
    ----------
    token_lists
        The tokens of each motivation sentence.
    common_words
        Words too common to be the focus (the vocabulary's first ids).

    Returns
    -------
    tuple
        ``((a, b, focus), (oa, ob))``. Order pair: the first two sentences made of the same
        words in a different order. Context pair: the first two other sentences sharing a
        word that is not a common word; that word is the focus (the longest, if several;
        the first of those in sentence ``a``).

    Raises
    ------
    ValueError
        When no two sentences qualify.
    """
    toks = [list(t) for t in token_lists]
    order = next(((i, j) for i in range(len(toks)) for j in range(i + 1, len(toks))
                  if sorted(toks[i]) == sorted(toks[j]) and toks[i] != toks[j]), None)
    if order is None:
        raise ValueError("no two motivation sentences hold the same words in another order")
    rest = [k for k in range(len(toks)) if k not in order]
    for a in rest:
        for b in rest:
            if b <= a:
                continue
            shared = [w for w in toks[a] if w in toks[b] and w not in common_words]
            if shared:
                return (a, b, max(shared, key=len)), order
    raise ValueError("no two motivation sentences share an uncommon word")


def focus_head(rows: list[np.ndarray]) -> int:
    """The head whose strongest weight to another word, averaged over the sentences, is largest.

    Parameters
    ----------
    rows
        One (h, n - 1) array per sentence: the focus word's row in every head, its own column removed.
    """
    return int(np.argmax(np.mean([r.max(axis=1) for r in rows], axis=0)))


def strongest_other(w: np.ndarray, i: int) -> int:
    """The column of the largest weight in row ``w`` of word ``i``, not counting ``i`` itself."""
    return int(np.argmax(np.where(np.arange(len(w)) == i, -1.0, w)))


def order_mapping(a: list[str], b: list[str]) -> list[int]:
    """For each position of ``b``, the position in ``a`` holding the same word (repeats in order)."""
    used: set[int] = set()
    out = []
    for w in b:
        k = next(i for i, v in enumerate(a) if v == w and i not in used)
        used.add(k)
        out.append(k)
    return out


def moved_word(mapping: list[int]) -> tuple[int, int]:
    """The first word of sentence a that has a new place in sentence b: (its place in a, its place in b)."""
    ka = min(mapping[p] for p in range(len(mapping)) if mapping[p] != p)
    return ka, mapping.index(ka)


def order_head(wa: np.ndarray, wb: np.ndarray, mapping: list[int]) -> int:
    """The head whose map changes most beyond a reshuffle of the same words.

    ``wa``, ``wb``: (h, n, n) weights of the two sentences; ``mapping`` from :func:`order_mapping`.
    """
    diff = [np.abs(wb[h] - wa[h][np.ix_(mapping, mapping)]).sum() for h in range(wa.shape[0])]
    return int(np.argmax(diff))


def motivation_choices(sentences: list[dict], common_words: set[str]) -> dict:
    """Every choice Ch01Motivation draws, from ``classify.pkl``'s ``sentences`` (``tokens``, ``weights``).

    Returns
    -------
    dict
        ``context_pair``, ``focus_word``, ``focus_places``, ``focus_head``, ``focus_strongest``,
        ``order_pair``, ``order_mapping``, ``order_head`` and ``moved_word`` (assets/README.md).
    """
    (ca, cb, focus), (oa, ob) = motivation_pairs([s["tokens"] for s in sentences], common_words)
    weights = [np.asarray(s["weights"]) for s in sentences]
    places = tuple(list(sentences[k]["tokens"]).index(focus) for k in (ca, cb))
    head = focus_head([np.delete(weights[k][:, i, :], i, axis=1) for k, i in zip((ca, cb), places)])
    mapping = order_mapping(list(sentences[oa]["tokens"]), list(sentences[ob]["tokens"]))
    return {
        "context_pair": (ca, cb),
        "focus_word": focus,
        "focus_places": places,
        "focus_head": head,
        "focus_strongest": tuple(strongest_other(weights[k][head, i], i) for k, i in zip((ca, cb), places)),
        "order_pair": (oa, ob),
        "order_mapping": mapping,
        "order_head": order_head(weights[oa], weights[ob], mapping),
        "moved_word": moved_word(mapping),
    }


# --- the reordered example (attention.pkl, Ch07Permutation and Ch08Positions) ----------------

def choose_perm(tokens: list[str]) -> list[int]:
    """The reordering for the permutation chapter: reversed order, or (if the reversed
    words read the same, e.g. a palindrome) the first left rotation that changes them."""
    n = len(tokens)
    candidates = [list(range(n))[::-1]] + [[(i + r) % n for i in range(n)] for r in range(1, n)]
    for perm in candidates:
        if [tokens[i] for i in perm] != list(tokens):
            return perm
    return candidates[0]


def match_rows(Y: np.ndarray, Y2: np.ndarray, perm, atol: float = 1e-4) -> list[int]:
    """For each row k of ``Y2``, the row of ``Y`` equal to it (``perm[k]`` preferred among equals).

    Raises
    ------
    ValueError
        When a row of ``Y2`` equals no row of ``Y``.
    """
    out = []
    for k, row in enumerate(Y2):
        same = [i for i in range(len(Y)) if np.allclose(Y[i], row, atol=atol)]
        if not same:
            raise ValueError(f"row {k} of the shuffled output matches no row of Y")
        out.append(perm[k] if perm[k] in same else same[0])
    return out


def furthest_moved(match: list[int]) -> tuple[int, int]:
    """The word that moved furthest: ``(i, k)``, its row ``i`` in order and ``k`` shuffled (first, if tied)."""
    k = int(np.argmax([abs(k - i) for k, i in enumerate(match)]))
    return match[k], k


def most_changed(Y_pos: np.ndarray, Y_pos_perm: np.ndarray, perm: list[int]) -> tuple[int, int]:
    """The word whose output row changes most between its two places: ``(i, k)`` with ``i = perm[k]``,
    ``k`` the shuffled row with the largest difference (first, if tied), among the words that moved
    (``perm[k] != k``: the middle word of an odd-length reversal keeps its place, so has no two)."""
    diffs = np.abs(Y_pos_perm - Y_pos[perm]).max(axis=1)
    moved = [k for k in range(len(perm)) if perm[k] != k] or list(range(len(perm)))
    k = max(moved, key=lambda k: (diffs[k], -k))
    return perm[k], k


def permutation_choices(tokens, tokens_perm, perm, Y, Y_perm, Y_pos, Y_pos_perm) -> dict:
    """The rows Ch07Permutation links and follows and the word Ch08Positions follows.

    Returns
    -------
    dict
        ``matched_rows`` (:func:`match_rows`), ``followed_row`` (:func:`furthest_moved`) and
        ``changed_row`` (:func:`most_changed`); each None when the reordering leaves the words as
        they were (one word, or words that read the same in any order): there is nothing to follow.
    """
    if list(tokens_perm) == list(tokens):
        return {"matched_rows": None, "followed_row": None, "changed_row": None}
    perm = [int(p) for p in perm]
    match = match_rows(np.asarray(Y), np.asarray(Y_perm), perm)
    return {"matched_rows": match, "followed_row": furthest_moved(match),
            "changed_row": most_changed(np.asarray(Y_pos), np.asarray(Y_pos_perm), perm)}


# --- the heads of block 1 (block.pkl, Ch09QueryKeyValue and Ch10MultiHead) -------------------

def strongest_links(weights: np.ndarray, k: int = N_LINKS) -> list[tuple]:
    """Top-k off-diagonal (head, query i, key j, weight), largest first; ties: lowest (head, i, j)."""
    h, n, _ = weights.shape
    items = [(float(weights[a, i, j]), a, i, j) for a in range(h) for i in range(n) for j in range(n) if i != j]
    items.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    return [(a, i, j, w) for w, a, i, j in items[:k]]


def pick_links(links, n_max: int = 2) -> list[tuple]:
    """The strongest link, and up to ``n_max - 1`` more from the same head with a different query token.

    Parameters
    ----------
    links
        (head, query i, key j, weight), strongest first, ``i != j`` (:func:`strongest_links`).
    n_max
        How many links to return at most.

    Returns
    -------
    list of tuple
        The links picked; empty when there are none (a one-token review has no pair of tokens).
    """
    links = [(int(h), int(i), int(j), float(w)) for h, i, j, w in links]
    if not links:
        return []
    first = links[0]
    out = [first]
    for ln in links[1:]:
        if len(out) == n_max:
            break
        if ln[0] == first[0] and all(ln[1] != o[1] for o in out):
            out.append(ln)
    return out


def strongest_link(weights_h: np.ndarray, links, h: int) -> tuple[int, int, float] | None:
    """The strongest link of head ``h`` between two different tokens.

    Parameters
    ----------
    weights_h
        The head's (n, n) attention weights.
    links
        (head, i, j, weight), strongest first.
    h
        The head.

    Returns
    -------
    tuple or None
        ``(i, j, weight)``: the first listed link of head ``h``, else the head's largest
        off-diagonal weight; None for a single token, which has no such link.
    """
    if np.shape(weights_h)[0] < 2:
        return None
    for hh, i, j, w in links:
        if int(hh) == h:
            return int(i), int(j), float(w)
    w = np.array(weights_h, dtype=float)
    np.fill_diagonal(w, -1.0)
    i, j = np.unravel_index(int(np.argmax(w)), w.shape)
    return int(i), int(j), float(weights_h[i, j])


def heads_to_compare(weights: np.ndarray, links) -> tuple[int, ...]:
    """The two heads Ch10MultiHead puts side by side, in head order.

    The head of the strongest link, and the head of the strongest link of another head; when
    no other head is listed, the other head with the strongest link of its own. A single token
    (no link to rank by) takes the next head; a model of one head shows only that one.
    """
    H, n = weights.shape[0], weights.shape[1]
    h_a = int(links[0][0]) if links else 0
    others = [int(ln[0]) for ln in links if int(ln[0]) != h_a]
    rest = [h for h in range(H) if h != h_a]
    if others:
        h_b = others[0]
    elif not rest or n < 2:
        h_b = rest[0] if rest else h_a
    else:
        h_b = max(rest, key=lambda h: strongest_link(weights[h], [], h)[2])
    return tuple(sorted({h_a, h_b}))


def head_choices(weights: np.ndarray, links) -> dict:
    """What Ch09QueryKeyValue and Ch10MultiHead point at in block 1's (h, n, n) ``weights``.

    Returns
    -------
    dict
        ``links_shown`` (:func:`pick_links`), ``head_shown`` (the head of the first of them; 0
        when there is none), ``head_links`` (each head's :func:`strongest_link`, None for a
        single token) and ``heads_compared`` (:func:`heads_to_compare`).
    """
    shown = pick_links(links)
    return {
        "links_shown": shown,
        "head_shown": shown[0][0] if shown else 0,
        "head_links": [strongest_link(weights[h], links, h) for h in range(weights.shape[0])],
        "heads_compared": heads_to_compare(weights, links),
    }


__all__ = ["N_LINKS", "COMMON_IDS", "motivation_pairs", "focus_head", "strongest_other", "order_mapping", "moved_word",
           "order_head", "motivation_choices", "choose_perm", "match_rows", "furthest_moved", "most_changed",
           "permutation_choices", "strongest_links", "pick_links", "strongest_link", "heads_to_compare",
           "head_choices"]
