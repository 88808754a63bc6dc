"""Data sentences of Ch02-Ch05 (dataset, tokens, ids, embedding): see :mod:`model.claims`.

Each rule names the lines that are true of its chapter's assets and fills their fields.
Words are quoted as “word” (cut to :data:`LONGEST` characters so a caption keeps to two
lines); numbers are digits with their noun ("16 word tokens"): the voice says them in words.
"""
from __future__ import annotations

import math
import re

import numpy as np

from . import Load, Said, count_words, listed, pick, quoted, rule

SHOWN = 40  # the chapters draw at most this many token boxes: the first 39 and an ellipsis (TokenRow)
LONGEST = 14  # a quoted word longer than this is cut, with an ellipsis
CLOSE = 0.9  # "close to one": every cosine shown is at least this
LONG_TAIL = 3.0  # "a long tail": reviews in the histogram's last bar, which starts at 3 medians or more
MARKS = {".": "the full stop", ",": "the comma", "!": "the exclamation mark", "?": "the question mark",
         "-": "the hyphen", ";": "the semicolon", ":": "the colon", "(": "the bracket", ")": "the bracket",
         '"': "the quote mark", "'": "the quote mark", "&": "the ampersand", "/": "the slash", "*": "the star",
         "<": "the angle bracket", ">": "the angle bracket", "…": "the ellipsis", "$": "the dollar sign"}
_APOSTROPHE = re.compile(r"\w+'\w+")
_WORDLIKE = re.compile(r"\w")


def quote(word: str) -> str:
    """“word”, cut to :data:`LONGEST` characters: “extraordinaril…”."""
    return quoted(word, LONGEST)


def shown(tokens) -> list:
    """The tokens a chapter's token row draws (:data:`SHOWN`)."""
    tokens = list(tokens)
    return tokens if len(tokens) <= SHOWN else tokens[:SHOWN - 1]


def first(items, fits=lambda x: True):
    """The first item that ``fits``, preferring one of at most :data:`LONGEST` characters; None if none fits."""
    items = [x for x in items if fits(x)]
    return next((x for x in items if len(x) <= LONGEST), items[0] if items else None)


def named(token: str) -> str:
    """How a line names a token: a mark by its name ("the comma"), anything else quoted."""
    return MARKS.get(token) or quote(token)


def specials(tok: dict) -> dict[str, int]:
    """The ids of <pad> and <unk>, as the vocabulary's head lists them."""
    return {w: int(i) for i, w, _ in tok["vocab_head"] if w in ("<pad>", "<unk>")}


# --- Ch02 ----------------------------------------------------------------------------------------

@rule("Ch02Dataset")
def dataset(load: Load) -> Said:
    """Ch02: the splits, the unlabelled reviews, the length histogram, the cut at T, the example cards.

    "Half and half" only when both splits have as many negative as positive reviews; "a long tail"
    only when the histogram's last bar (reviews of its lower edge or more) holds reviews, starts at
    :data:`LONG_TAIL` medians or more, and the mean is above the median; "longer reviews are cut" and
    "shorter ones are padded" only when some bar lies wholly above or wholly below T; the cards are
    "short ones from the test set" only when each card is a test review shorter than the median.
    """
    ds, T = load("dataset"), int(load("tokens")["max_len"])
    edges = np.asarray(ds["length_hist"]["edges"], dtype=float)
    counts = np.asarray(ds["length_hist"]["counts"], dtype=int)
    median, mean = float(ds["median_tokens"]), float(ds["mean_tokens"])
    n_tail = int(counts[-1])  # the last bar: every review of edges[-2] tokens or more
    longer = int(counts[edges[:-1] > T].sum())  # bars that start past T: reviews longer than T
    shorter = int(counts[edges[1:] <= T].sum())  # bars that end at T or before: shorter than T
    balanced = all(len(c) == 2 and c[0] == c[1] for c in (ds["train_counts"], ds["test_counts"]))
    examples = list(ds["examples"])
    lengths = [int(e["n_tokens"]) for e in examples[:3]]  # the cards drawn
    from_test = all(int(e.get("index", -1)) >= 0 for e in examples[:3])
    short = bool(lengths) and max(lengths) < median
    tail = n_tail > 0 and edges[-2] >= LONG_TAIL * median and mean > median
    n_unsup = int(ds.get("n_unsup") or 0)
    fields = {"n_train": f"{int(ds['n_train']):,}", "n_test": f"{int(ds['n_test']):,}", "n_unsup": f"{n_unsup:,}",
              "median": f"{median:,.0f}", "mean": f"{mean:,.0f}", "n_tail": count_words(n_tail, "review"),
              "tail_from": f"{edges[-2]:,.0f}", "T": str(T),
              "n_examples": count_words(len(lengths), "example review"),
              "lengths": listed([f"{n:,}" for n in lengths]) + (" word token" if lengths == [1] else " word tokens")}
    off = pick({"splits_even": balanced, "splits": not balanced, "unsup": n_unsup > 0,
                "lengths": tail, "lengths_even": not tail,
                "cut": longer > 0 and shorter > 0, "cut_long": longer > 0 and not shorter,
                "cut_short": shorter > 0 and not longer, "cut_plain": not longer and not shorter,
                "examples": from_test and short and len(lengths) > 1, "examples_any": from_test and not short
                and len(lengths) > 1, "examples_one": from_test and len(lengths) == 1,
                "examples_given": not from_test and len(lengths) > 0})
    return Said(fields, off, {"balanced": balanced, "n_tail": n_tail, "longer_than_T": longer,
                              "shorter_than_T": shorter, "lengths": lengths, "from_test": from_test, "short": short})


@rule("Ch03Tokens")
def tokens(load: Load) -> Said:
    """Ch03: how this review was cut, the vocabulary's order and size, GPT-2's count and a word it cuts.

    The words line names a mark of the review ("the comma", drawn ones first) when it has one, and a
    word with an apostrophe it keeps whole ("didn't") when it has one; "most frequent first" only when
    the listed ids run 0, 1, 2... with falling counts; the BPE line compares the two counts.
    """
    tok, example = load("tokens"), load("dataset")["examples"][0]
    words, pieces = list(tok["words"]), list(tok["bpe_pieces"])
    given = int(example.get("index", -1)) < 0
    marks = [w for w in words if not _WORDLIKE.search(w)]
    on_screen = shown(words)
    mark = next((m for m in MARKS if m in on_screen), None) or next((m for m in MARKS if m in marks), None)
    mark = named(mark or marks[0]) if marks else None
    apos = first(dict.fromkeys(on_screen + words), lambda w: _APOSTROPHE.fullmatch(w) is not None)
    has_word = any(_WORDLIKE.search(w) for w in words)
    # the vocabulary: ids in order, most frequent first (after the reserved ids)
    head, tail = list(tok["vocab_head"]), list(tok["vocab_tail"])
    special = specials(tok)
    rows = [r for r in head if r[1] not in special]
    V = int(tok["vocab_size"])
    ranked = ([int(i) for i, _, _ in head] == list(range(len(head))) and bool(rows)
              and [int(i) for i, _, _ in tail] == list(range(V - len(tail), V))
              and all(a[2] >= b[2] for a, b in zip(rows + tail, rows[1:] + tail)))
    kept = int(tok["vocab_size"]) - len(special)
    n_unique = int(tok["n_unique_train_words"])
    n_w, n_p = len(words), len(pieces)
    split, fields = split_choice(tok), {}
    fields.update(mark=mark or "", apos=quote(apos) if apos else "",
                  top_word=quote(rows[0][1]) if rows else "", top_id=str(rows[0][0]) if rows else "",
                  pad_id=str(special.get("<pad>", "")), unk_id=str(special.get("<unk>", "")),
                  kept=f"{kept:,}", n_unique=f"{n_unique:,}",
                  n_pieces=count_words(n_p, "piece"), n_words=count_words(n_w, "word token"), **split.pop("fields"))
    off = pick({"review": not given, "review_given": given,
                "words": has_word and mark is not None and not apos, "words_apos": has_word and mark and apos,
                "words_apos_only": has_word and not marks and apos, "words_plain": has_word and not marks and not apos,
                "words_marks": not has_word,
                "vocab": ranked, "vocab_plain": not ranked, "special": len(special) == 2,
                "size": kept < n_unique, "size_all": kept >= n_unique,
                "bpe_more": n_p > n_w, "bpe_fewer": n_p < n_w, "bpe_same": n_p == n_w, **split.pop("said")})
    return Said(fields, off, {"mark": mark, "apostrophe_word": apos, "ranked": ranked, "kept": kept, **split})


def split_choice(tok: dict) -> dict:
    """Which word BPE cuts is named, and whether our vocabulary keeps it.

    A word of the example reviews that GPT-2 cuts (one of the five the chapter shows if it can),
    one our vocabulary knows if there is one; a mark or a piece that is no whole character
    (an emoji's bytes) is never named. With none, a frequent vocabulary word GPT-2 cuts.
    """
    ids = {}
    for ex in list(tok.get("examples", [])) + [{"words": tok["words"], "word_ids": tok["word_ids"]}]:
        ids.update(zip(ex["words"], (int(i) for i in ex["word_ids"])))
    unk = specials(tok).get("<unk>", 1)
    cut = [(w, p) for w, p in tok["bpe_split_words"]
           if w in ids and _WORDLIKE.search(w) and not any("\ufffd" in x for x in p)]
    cut.sort(key=lambda wp: wp not in list(tok["bpe_split_words"])[:5])  # shown first
    known = [(w, p) for w, p in cut if ids[w] != unk]
    vocab = list(tok.get("bpe_split_vocab", []))
    pair = (known or cut or vocab[:1] or [None])[0]
    said = {"split": bool(known), "split_unk": bool(cut) and not known, "split_vocab": not cut and bool(vocab),
            "split_none": not cut and not vocab}
    fields = {"split_word": quote(pair[0]) if pair else "", "split_parts": count_words(len(pair[1]), "piece")
              if pair else "", "split_id": str(ids.get(pair[0], "")) if pair else ""}
    return {"said": said, "fields": fields, "split_word": pair[0] if pair else None,
            "split_pieces": list(pair[1]) if pair else []}


# --- Ch04 ----------------------------------------------------------------------------------------

@rule("Ch04Padding")
def padding(load: Load) -> Said:
    """Ch04: an example id, unknown and repeated words, the batch, its padding and mask.

    A repeated word is one drawn (the first :data:`SHOWN` tokens) twice with the same known id; "short
    rows are filled up" only when some row of the mask has fewer than T real places; a review longer
    than T is said to be cut, with nothing padded.
    """
    tok = load("tokens")
    words, ids = list(tok["words"]), [int(i) for i in tok["word_ids"]]
    special = specials(tok)
    unk = special.get("<unk>", 1)
    seen = list(zip(shown(words), ids))
    known = sorted((p for p in seen if p[1] != unk), key=lambda p: not _WORDLIKE.search(p[0]))  # words first
    known = known[0] if known else None
    again = [w for k, (w, i) in enumerate(seen) if i != unk and w in [x for x, _ in seen[:k]]]
    repeated = first(again, _WORDLIKE.search) or (again[0] if again else None)
    unknown = list(dict.fromkeys(tok["unknown"]))
    unk_word = first(unknown, _WORDLIKE.search) or first(unknown)
    mask = np.asarray(tok["batch_mask"]).astype(bool)
    B, T = mask.shape
    real = [int(r.sum()) for r in mask]
    lengths = [int(n) for n in tok["batch_lengths"]]
    padded = any(n < T for n in real)
    fields = {"id_word": named(known[0]) if known else "", "id_of": str(known[1]) if known else "",
              "unk_word": quote(unk_word) if unk_word else "", "unk_id": str(unk),
              "repeated": named(repeated) if repeated else "", "n_reviews": count_words(B, "example review"),
              "T": str(T), "B": str(B), "pad_id": str(special.get("<pad>", 0)),
              "n_pad": count_words(T - real[0], "<pad> id"), "n_tokens": count_words(lengths[0], "token")}
    cut_one = B == 1 and lengths[0] > T
    off = pick({"ids": known is not None, "ids_plain": known is None,
                "unk": bool(unknown) and not repeated, "unk_repeat": bool(unknown) and bool(repeated),
                "known": not unknown and not repeated, "known_repeat": not unknown and bool(repeated),
                "batch": B > 1, "batch_one": B == 1,
                "pad": B > 1 and padded, "pad_one": B == 1 and padded, "pad_cut": cut_one,
                "pad_none": not padded and not cut_one, "mask": padded, "mask_full": not padded})
    return Said(fields, off, {"repeated": repeated, "unk_word": unk_word, "id_word": known and known[0],
                              "padded": padded, "real": real, "B": B, "T": T})


# --- Ch05 ----------------------------------------------------------------------------------------

@rule("Ch05Embedding")
def embedding(load: Load) -> Said:
    """Ch05: the table's size, the rows looked up, its share of the model, the nearest words.

    "Most of the model" when vocab_size × d is at least half of the checkpoint's parameter count
    (``training['n_params']``; nothing is said without one); "close to one" only when every cosine
    the chapter shows (four words, five neighbours each) is at least :data:`CLOSE` (0.9).
    """
    emb = load("embedding")
    n, V, d = len(emb["tokens"]), int(emb["vocab_size"]), int(emb["d_model"])
    n_params = int(load("training").get("n_params") or 0)
    share = V * d / n_params if n_params else 0.0
    columns = [(w, list(pairs)[:5]) for w, pairs in list(emb["neighbours"])[:4]]  # as the chapter draws them
    cosines = [float(c) for _, pairs in columns for _, c in pairs]
    lowest = min(cosines) if cosines else 0.0
    trained = bool(emb["trained"])
    word, pairs = next(((w, p) for w, p in columns if len(p) >= 2), ("", []))  # the column the line names
    columns = columns if pairs else []
    pairs = pairs or [("", 0.0), ("", 0.0)]
    fields = {"d": str(d), "V": f"{V:,}", "n_tokens": count_words(n, "token"),
              "pct": f"{100 * share:.0f} percent", "n_params": f"{n_params:,}", "word": quote(word),
              "near1": quote(pairs[0][0]), "near2": quote(pairs[1][0]),
              "cos1": f"{pairs[0][1]:.2f}", "cos2": f"{pairs[1][1]:.2f}",
              "cos_min": f"{math.floor(lowest * 100) / 100:.2f}"}
    off = pick({"rows": n > 1, "rows_one": n == 1, "shape": n > 1, "shape_one": n == 1,
                "weights": 0.5 <= share <= 1, "weights_part": 0 < share < 0.5,
                "neighbours": trained and bool(columns) and lowest >= CLOSE,
                "neighbours_loose": trained and bool(columns) and lowest < CLOSE,
                "untrained": not trained and bool(columns)})
    return Said(fields, off, {"share": share, "lowest_cosine": lowest, "columns": len(columns)})
