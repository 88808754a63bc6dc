"""Truth checks of Ch02-Ch05's narration: each sentence said, checked against the data it speaks of.

``TRUTH[cls](assets, said)`` asserts that every line of chapter ``cls`` that ``said`` (the rule's
:class:`~model.claims.Said`) leaves on is true of ``assets`` (asset name -> dict), recomputed from
the assets where it can be (tokens re-cut from the review's text, BPE pieces re-encoded, padding
counted from the mask), and that every field such a line names is filled. Called by the review
sweep on hundreds of real reviews and by tests/test_claims_data.py on the committed assets.
"""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import numpy as np

from model.data import clean_text
from model.tokenize import word_tokenize

ROOT = Path(__file__).resolve().parent.parent
ON_SCREEN = 40  # a token row draws at most 40 boxes: the first 39 tokens, then an ellipsis
STEMS = {"Ch02Dataset": "ch02_dataset", "Ch03Tokens": "ch03_tokens", "Ch04Padding": "ch04_padding",
         "Ch05Embedding": "ch05_embedding"}
GROUPS = {  # lines of which exactly one is said
    "Ch02Dataset": [("splits", "splits_even"), ("lengths", "lengths_even"),
                    ("cut", "cut_long", "cut_short", "cut_plain"),
                    ("examples", "examples_any", "examples_one", "examples_given")],
    "Ch03Tokens": [("review", "review_given"), ("words", "words_apos", "words_apos_only", "words_plain",
                                                 "words_marks"),
                   ("vocab", "vocab_plain"), ("size", "size_all"), ("bpe_more", "bpe_fewer", "bpe_same"),
                   ("split", "split_unk", "split_vocab", "split_none")],
    "Ch04Padding": [("ids", "ids_plain"), ("unk", "unk_repeat", "known", "known_repeat"), ("batch", "batch_one"),
                    ("pad", "pad_one", "pad_cut", "pad_none"), ("mask", "mask_full")],
    "Ch05Embedding": [("rows", "rows_one"), ("shape", "shape_one")],
}


@functools.cache
def narration(cls: str) -> dict[str, str]:
    """A chapter's ``NARRATION``, read from its source (tests import no chapter)."""
    tree = ast.parse((ROOT / "scenes" / f"{STEMS[cls]}.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "NARRATION")
    return ast.literal_eval(node.value)


def said_lines(cls: str, said) -> set[str]:
    """The keys said; each group has exactly one, and every field a said line names is filled."""
    lines = narration(cls)
    assert said.off <= set(lines), f"{cls}: off names lines that do not exist: {said.off - set(lines)}"
    on = set(lines) - said.off
    for group in GROUPS[cls]:
        assert len(on & set(group)) == 1, f"{cls}: of {group}, {sorted(on & set(group))} are said"
    for key in on:
        for name in re.findall(r"{(\w+)}", lines[key]):
            assert name == "opening" or said.fields.get(name), f"{cls}.{key}: field {name!r} is empty"
    return on


def number(text: str) -> float:
    """The first number of a field: "1,332 word tokens" -> 1332, "96%" -> 96."""
    return float(re.search(r"\d[\d,]*(?:\.\d+)?", text).group().replace(",", ""))


def unquote(text: str) -> str:
    return text.strip("“”").rstrip("…")


MARK_NAMES = {"full stop": ".", "comma": ",", "exclamation mark": "!", "question mark": "?", "hyphen": "-",
              "semicolon": ";", "colon": ":", "bracket": "()", "quote mark": "\"'", "ampersand": "&", "slash": "/",
              "star": "*", "angle bracket": "<>", "ellipsis": "…", "dollar sign": "$"}  # what each name means


def word_named(field: str, tokens) -> str:
    """The token a field names, which must be one of ``tokens``: “word” (maybe cut, “wor…”) or a mark's
    name ("the comma")."""
    if field.startswith("“"):
        hits = [t for t in tokens if t == unquote(field) or field.endswith("…”") and t.startswith(unquote(field))]
        assert hits, f"{field} is not a token here"
        return hits[0]
    name = field.removeprefix("the ")
    hits = [t for t in tokens if t in MARK_NAMES.get(name, "") and len(t) == 1]
    assert hits, f"{field!r} names no mark of these tokens"
    return hits[0]


# --- Ch02 ----------------------------------------------------------------------------------------

def ch02(assets, said):
    on, f = said_lines("Ch02Dataset", said), said.fields
    ds, T = assets["dataset"], int(assets["tokens"]["max_len"])
    edges, counts = np.asarray(ds["length_hist"]["edges"]), np.asarray(ds["length_hist"]["counts"])
    assert counts.sum() == ds["n_train"], "the length histogram holds every training review"
    for split in ("train", "test"):
        c = list(ds[f"{split}_counts"])
        assert len(c) == 2 and sum(c) == ds[f"n_{split}"], f"every {split} review is negative or positive"
        assert "splits_even" not in on or c[0] == c[1], f"the {split} split is not half and half: {c}"
    assert number(f["n_train"]) == ds["n_train"] and number(f["n_test"]) == ds["n_test"]
    if "unsup" in on:
        assert ds["n_unsup"] and number(f["n_unsup"]) == ds["n_unsup"], "unlabelled reviews counted"
    assert number(f["median"]) == round(ds["median_tokens"]), "the median said is the dataset's"
    if "lengths" in on:  # a long tail: the last bar (its reviews have edges[-2] tokens or more) is far right
        assert number(f["n_tail"]) == counts[-1] > 0 and number(f["tail_from"]) == edges[-2]
        assert edges[-2] >= 3 * ds["median_tokens"] and ds["mean_tokens"] > ds["median_tokens"], "no long tail"
    assert number(f["T"]) == T
    longer, shorter = counts[edges[:-1] > T].sum(), counts[edges[1:] <= T].sum()
    assert ("cut" not in on and "cut_long" not in on) or longer > 0, f"no training review is longer than {T}"
    assert ("cut" not in on and "cut_short" not in on) or shorter > 0, f"no training review is shorter than {T}"
    shown = list(ds["examples"])[:3]
    for e in shown:  # the lengths said are the reviews' own, re-counted from their text
        assert len(word_tokenize(e["text"])) == e["n_tokens"], f"example {e['index']}: n_tokens is wrong"
    if on & {"examples", "examples_any", "examples_one", "examples_given"}:
        said_lengths = [int(x.replace(",", "")) for x in re.findall(r"\d[\d,]*", f["lengths"])]
        assert said_lengths == [e["n_tokens"] for e in shown], f"the lengths said are {f['lengths']}"
    if on & {"examples", "examples_any", "examples_one"}:
        assert all(e["index"] >= 0 and e["label"] in (0, 1) for e in shown), "an example is not a labelled test review"
    if "examples" in on:
        assert len(shown) > 1 and all(e["n_tokens"] < ds["median_tokens"] for e in shown), "not all short"
        assert number(f["n_examples"]) == len(shown)
    if "examples_given" in on:
        assert any(e["index"] < 0 for e in shown), "every example is from the test set"


# --- Ch03 ----------------------------------------------------------------------------------------

def ch03(assets, said):
    on, f = said_lines("Ch03Tokens", said), said.fields
    tok, example = assets["tokens"], assets["dataset"]["examples"][0]
    words, pieces = list(tok["words"]), list(tok["bpe_pieces"])
    assert ("review" in on) == (example["index"] >= 0), "a test review is called one, a given one is not"
    assert words == word_tokenize(example["text"]), "the tokens shown are the review's"
    assert all(w == w.lower() for w in words), "every word token is lower-case"
    if on & {"words", "words_apos", "words_marks"}:
        mark = word_named(f["mark"], words)
        assert not re.search(r"\w", mark), f"{mark} is not a mark"
    if on & {"words_apos", "words_apos_only"}:
        apos = word_named(f["apos"], words)
        assert re.fullmatch(r"\w+'\w+", apos) and apos in example["text"].lower(), f"{apos} is not kept whole"
    if "words_marks" in on:
        assert not any(re.search(r"\w", w) for w in words), "the review has words"
    head, tail = list(tok["vocab_head"]), list(tok["vocab_tail"])
    reserved = {w: i for i, w, _ in head if w in ("<pad>", "<unk>")}
    if "vocab" in on:
        rows = [r for r in head if r[1] not in reserved]
        assert [r[0] for r in head] == list(range(len(head))), "an id is not its place in the list"
        counts = [r[2] for r in rows + tail]
        assert counts == sorted(counts, reverse=True), "the vocabulary is not most frequent first"
        assert f["top_word"] == f"“{rows[0][1]}”" and number(f["top_id"]) == rows[0][0]
    if "special" in on:
        assert number(f["pad_id"]) == reserved["<pad>"] and number(f["unk_id"]) == reserved["<unk>"]
        assert {reserved["<pad>"], reserved["<unk>"]} == {0, 1}, "the reserved ids are not the first"
    unk = reserved.get("<unk>", 1)
    unknown = set(tok["unknown"])
    assert all((i == unk) == (w in unknown) for w, i in zip(words, tok["word_ids"])), "<unk> is not the unknowns' id"
    kept = tok["vocab_size"] - len(reserved)
    if "size" in on:
        assert number(f["kept"]) == kept < tok["n_unique_train_words"] == number(f["n_unique"])
    if "size_all" in on:
        assert kept >= tok["n_unique_train_words"], "some words were left out"
    n_p, n_w = len(pieces), len(words)
    assert number(f["n_pieces"]) == n_p and number(f["n_words"]) == n_w
    assert {"bpe_more": n_p > n_w, "bpe_fewer": n_p < n_w, "bpe_same": n_p == n_w}[
        next(k for k in ("bpe_more", "bpe_fewer", "bpe_same") if k in on)], f"{n_p} pieces, {n_w} words"
    joined = "".join(pieces)
    if "\ufffd" not in joined:  # capitals and spaces kept: the pieces spell the text back
        assert joined == clean_text(example["text"]), "the BPE pieces do not spell the review"
    check_split(on, f, tok, unk)


def check_split(on, f, tok, unk):
    """The word BPE cuts: re-encoded with GPT-2's BPE when it can be loaded, and its id in our vocabulary."""
    ids = {}
    for ex in tok["examples"]:
        ids.update(zip(ex["words"], ex["word_ids"]))
    cut = dict(tok["bpe_split_words"])
    if on & {"split", "split_unk", "split_vocab"}:
        word = unquote(f["split_word"])
        table = cut if on & {"split", "split_unk"} else dict(tok["bpe_split_vocab"])
        word = next(w for w in table if w.startswith(word))
        parts = table[word]
        assert len(parts) == number(f["split_parts"]) > 1 and "".join(parts).strip() == word, f"{word}: {parts}"
        enc = bpe()
        if enc is not None:
            assert len(enc.encode_ordinary(" " + word)) == len(parts), f"GPT-2 cuts {word} otherwise"
    if "split" in on:
        assert ids[word] != unk and number(f["split_id"]) == ids[word], f"{word} is not id {f['split_id']}"
    if "split_unk" in on:
        assert ids[word] == unk, f"our vocabulary has {word}"
    if "split_vocab" in on:  # a common word: one of our 2,000 most frequent
        assert word not in ids or ids[word] != unk, f"{word} is not in our vocabulary"


@functools.cache
def bpe():
    """GPT-2's BPE, or None where its ranks cannot be had."""
    try:
        from model.tokenize import bpe_encoding

        return bpe_encoding()
    except Exception:
        return None


# --- Ch04 ----------------------------------------------------------------------------------------

def ch04(assets, said):
    on, f = said_lines("Ch04Padding", said), said.fields
    tok = assets["tokens"]
    words, ids = list(tok["words"]), [int(i) for i in tok["word_ids"]]
    unk = next(i for i, w, _ in tok["vocab_head"] if w == "<unk>")
    pad = next(i for i, w, _ in tok["vocab_head"] if w == "<pad>")
    seen = words[:ON_SCREEN] if len(words) <= ON_SCREEN else words[:ON_SCREEN - 1]
    if "ids" in on:
        w = word_named(f["id_word"], seen)
        assert ids[words.index(w)] == number(f["id_of"]) != unk, f"{w} is not id {f['id_of']}"
    if on & {"unk", "unk_repeat"}:
        w = word_named(f["unk_word"], words)
        assert all(i == unk for x, i in zip(words, ids) if x == w), f"{w} is not read as <unk>"
        assert number(f["unk_id"]) == unk
    if on & {"known", "known_repeat"}:
        assert unk not in ids, "a word of the review is not in the vocabulary"
    if on & {"unk_repeat", "known_repeat"}:
        w = word_named(f["repeated"], seen)
        at = [i for x, i in zip(seen, ids) if x == w]
        assert len(at) >= 2 and len(set(at)) == 1 and at[0] != unk, f"{w} does not come back with one id"
    bids, mask = np.asarray(tok["batch_ids"]), np.asarray(tok["batch_mask"]).astype(bool)
    B, T = bids.shape
    real = mask.sum(axis=1)
    assert all(mask[r, :n].all() for r, n in enumerate(real)), "padding is not at the end"
    assert (bids[~mask] == pad).all(), "a padded place does not hold the <pad> id"
    assert list(real) == [min(n, T) for n in tok["batch_lengths"]], "a row does not hold its review"
    assert ("batch" in on) == (B > 1) and (B == 1 or number(f["n_reviews"]) == B)
    assert number(f["T"]) == T and number(f["B"]) == B
    if "pad" in on:
        assert B > 1 and (real < T).any() and number(f["pad_id"]) == pad, "no row is padded"
    if "pad_one" in on:
        assert B == 1 and number(f["n_pad"]) == T - real[0] > 0, "the review's row is not padded so"
    if "pad_cut" in on:
        assert B == 1 and tok["batch_lengths"][0] > T and real[0] == T
        assert number(f["n_tokens"]) == len(words) == tok["batch_lengths"][0]
    if "pad_none" in on:
        assert mask.all(), "a row is padded"
    assert ("mask" in on) == (not mask.all()), "the mask line does not match the padding"


# --- Ch05 ----------------------------------------------------------------------------------------

def ch05(assets, said):
    on, f = said_lines("Ch05Embedding", said), said.fields
    emb, training = assets["embedding"], assets["training"]
    E = np.asarray(emb["E_rows"])
    V, d, n = emb["vocab_size"], emb["d_model"], len(emb["tokens"])
    assert E.shape == (n, d) and len(emb["ids"]) == n, "one row of d numbers per token shown"
    assert number(f["d"]) == d and number(f["V"]) == V
    assert ("rows" in on) == (n > 1) and (n == 1 or number(f["n_tokens"]) == n)
    share = V * d / training["n_params"] if training.get("n_params") else None
    if "weights" in on:
        assert share is not None and 0.5 <= share <= 1, f"the table is {share} of the model"
    if "weights_part" in on:
        assert share is not None and 0 < share < 0.5
    if on & {"weights", "weights_part"}:
        assert number(f["pct"]) == round(100 * share) and number(f["n_params"]) == training["n_params"]
    columns = [(w, list(p)[:5]) for w, p in list(emb["neighbours"])[:4]]
    if on & {"neighbours", "neighbours_loose"}:
        assert emb["trained"], "the rows are untrained"
        word, pairs = next((w, p) for w, p in columns if f["word"] == f"“{w}”")
        cos = [c for _, c in pairs]
        assert cos == sorted(cos, reverse=True), "the list is not nearest first"
        assert f["near1"] == f"“{pairs[0][0]}”" and f["near2"] == f"“{pairs[1][0]}”", "not the two nearest"
    if "neighbours" in on:
        shown = [c for _, p in columns for _, c in p]
        assert min(shown) >= number(f["cos_min"]) >= 0.9, f"a cosine shown is {min(shown):.3f}"
    if "untrained" in on:
        assert not emb["trained"]


TRUTH = {"Ch02Dataset": ch02, "Ch03Tokens": ch03, "Ch04Padding": ch04, "Ch05Embedding": ch05}
