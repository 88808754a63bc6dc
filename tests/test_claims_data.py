"""The rules of Ch02-Ch05's narration (model/claims/data.py) on small hand-made assets, both sides of
each choice, and the truth checks (tests/truth_data.py) on the committed assets and on false lines."""
from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pytest

from model import claims, store
from scenes.common.speech import fill
from truth_data import GROUPS, TRUTH, narration

HEAD = [(0, "<pad>", 0), (1, "<unk>", 0), (2, "the", 900), (3, ".", 800), (4, "good", 500), (5, "film", 400),
        (6, "didn't", 300), (7, "it", 200)]
VOCAB = {w: i for i, w, _ in HEAD}


def tokens(words, T=8, batch=None, split=(), split_vocab=(("british", [" b", "rit", "ish"]),), **extra):
    """A ``tokens`` asset for ``words`` (ids from :data:`HEAD`, others <unk>); ``batch``: more reviews' lengths."""
    ids = [VOCAB.get(w, 1) for w in words]
    rows = [ids] + [[4] * n for n in (batch or [])]
    mask = np.array([[k < len(r) for k in range(T)] for r in rows])
    bids = np.array([[r[k] if k < len(r) else 0 for k in range(T)] for r in rows])
    tok = {"vocab_size": 100, "min_count": 5, "max_len": T, "vocab_head": HEAD, "vocab_tail": [(99, "zebra", 6)],
           "n_unique_train_words": 500, "words": list(words), "word_ids": ids,
           "unknown": [w for w, i in zip(words, ids) if i == 1], "bpe_pieces": [" " + w for w in words],
           "bpe_split_words": list(split), "bpe_split_vocab": list(split_vocab), "batch_ids": bids,
           "batch_mask": mask, "batch_lengths": [len(r) for r in rows], "batch_labels": [1] * len(rows),
           "examples": [{"words": list(words), "word_ids": ids}]}
    tok.update(extra)
    return tok


def dataset(examples=((12, 0), (15, 1)), median=120.0, mean=270.0, counts=(12500, 12500), unsup=50000,
            hist=(10, 50, 30, 5, 5)):
    edges = np.array([0, 100, 200, 300, 400, 600], dtype=np.float32)
    return {"n_train": sum(counts), "n_test": 25000, "n_unsup": unsup, "train_counts": list(counts),
            "test_counts": [12500, 12500], "median_tokens": median, "mean_tokens": mean,
            "length_hist": {"edges": edges, "counts": np.array(hist) * sum(counts) // sum(hist)},
            "examples": [{"index": i, "text": "x", "label": 0, "n_tokens": n} for n, i in examples]}


def said(cls, **assets):
    return claims.said(cls, lambda name: assets[name])


def on(s, cls) -> set[str]:
    return set(narration(cls)) - s.off


# --- Ch02 ----------------------------------------------------------------------------------------

def test_ch02_balance_tail_and_unlabelled():
    s = said("Ch02Dataset", dataset=dataset(), tokens=tokens(["good"], T=250))
    assert {"splits_even", "unsup", "lengths", "cut", "examples"} <= on(s, "Ch02Dataset")
    assert s.fields["n_tail"] == "1,250 reviews" and s.fields["tail_from"] == "400"
    assert s.fields["lengths"] == "12 and 15 word tokens"
    s = said("Ch02Dataset", dataset=dataset(counts=(12000, 13000), unsup=0, mean=100.0), tokens=tokens(["a"], T=250))
    assert "splits" in on(s, "Ch02Dataset") and not {"splits_even", "unsup", "lengths"} & on(s, "Ch02Dataset")
    assert "lengths_even" in on(s, "Ch02Dataset")  # mean below the median: no tail to the right


def test_ch02_the_cut_line_says_only_what_the_histogram_shows():
    def cut(T, hist=(10, 50, 30, 5, 5)):
        s = said("Ch02Dataset", dataset=dataset(hist=hist), tokens=tokens(["a"], T=T))
        return on(s, "Ch02Dataset") & {"cut", "cut_long", "cut_short", "cut_plain"}
    assert cut(250) == {"cut"}  # bars below 200 and above 300
    assert cut(50) == {"cut_long"}  # the first bar ends at 100: no review known to be shorter than 50
    assert cut(600) == {"cut_short"}  # nothing known to be longer than the last edge
    assert cut(50, hist=(1, 0, 0, 0, 0)) == {"cut_plain"}


def test_ch02_examples_short_long_one_and_given():
    def key(examples):
        s = said("Ch02Dataset", dataset=dataset(examples=examples), tokens=tokens(["a"]))
        return on(s, "Ch02Dataset") & {"examples", "examples_any", "examples_one", "examples_given"}
    assert key([(12, 5), (30, 6)]) == {"examples"}
    assert key([(12, 5), (300, 6)]) == {"examples_any"}  # one is longer than the median of 120
    assert key([(12, 5)]) == {"examples_one"}
    assert key([(12, -1)]) == {"examples_given"}


# --- Ch03 ----------------------------------------------------------------------------------------

def ch03(words, index=7, **kw):
    return said("Ch03Tokens", tokens=tokens(words, **kw), dataset={"examples": [{"index": index, "text": ""}]})


@pytest.mark.parametrize("words, key, mark, apos", [
    (["good", ",", "didn't", "!"], "words_apos", "the comma", "“didn't”"),
    (["good", "film", "."], "words", "the full stop", ""),
    (["good", "it's"], "words_apos_only", "", "“it's”"),
    (["good", "film"], "words_plain", "", ""),
    (["!", "!"], "words_marks", "the exclamation mark", ""),
    (["good", "😀"], "words", "“😀”", ""),
])
def test_ch03_how_the_text_was_cut(words, key, mark, apos):
    s = ch03(words)
    assert on(s, "Ch03Tokens") & set(GROUPS["Ch03Tokens"][1]) == {key}
    assert s.fields["mark"] == mark and s.fields["apos"] == apos


def test_ch03_review_vocabulary_and_size():
    s = ch03(["good"])
    assert {"review", "vocab", "special", "size"} <= on(s, "Ch03Tokens")
    assert [s.fields[k] for k in ("top_word", "top_id", "pad_id", "unk_id")] == ["“the”", "2", "0", "1"]
    assert s.fields["kept"] == "98" and s.fields["n_unique"] == "500"
    shuffled = [HEAD[0], HEAD[1], HEAD[3], HEAD[2]] + HEAD[4:]  # "." (800) before "the" (900): not ranked
    s = ch03(["good"], index=-1, vocab_head=shuffled, n_unique_train_words=90)
    assert {"review_given", "vocab_plain", "size_all"} <= on(s, "Ch03Tokens")
    assert not {"review", "vocab", "size"} & on(s, "Ch03Tokens")


def test_ch03_bpe_count_compared():
    def key(pieces):
        return on(ch03(["good", "film"], bpe_pieces=pieces), "Ch03Tokens") & {"bpe_more", "bpe_fewer", "bpe_same"}
    assert key(["Good", " fi", "lm"]) == {"bpe_more"}
    assert key(["Good film"]) == {"bpe_fewer"}
    assert key(["Good", " film"]) == {"bpe_same"}


def test_ch03_split_word_known_unknown_or_from_the_vocabulary():
    s = ch03(["good", "veidt", "film"], split=[("veidt", [" ve", "id", "t"]), ("film", [" fi", "lm"])])
    assert "split" in on(s, "Ch03Tokens") and s.fields["split_word"] == "“film”" and s.fields["split_id"] == "5"
    s = ch03(["good", "veidt"], split=[("veidt", [" ve", "id", "t"])])
    assert "split_unk" in on(s, "Ch03Tokens") and s.fields["split_parts"] == "3 pieces"
    s = ch03(["good", "´"], split=[("´", [" \ufffd", "\ufffd"])])  # a mark's bytes: never named
    assert "split_vocab" in on(s, "Ch03Tokens") and s.fields["split_word"] == "“british”"
    assert "split_none" in on(ch03(["good"], split_vocab=()), "Ch03Tokens")


# --- Ch04 ----------------------------------------------------------------------------------------

def ch04(words, **kw):
    return said("Ch04Padding", tokens=tokens(words, **kw))


def test_ch04_ids_unknown_and_repeated_words():
    s = ch04(["veidt", "good", "film", "good"])
    assert {"ids", "unk_repeat"} <= on(s, "Ch04Padding")
    assert (s.fields["id_word"], s.fields["id_of"], s.fields["unk_word"], s.fields["repeated"]) == (
        "“good”", "4", "“veidt”", "“good”")
    assert "unk" in on(ch04(["veidt", "good", "veidt"]), "Ch04Padding")  # an unknown word coming back: no repeat
    assert "known" in on(ch04(["good", "film"]), "Ch04Padding")
    s = ch04(["good", ".", "film", "."])
    assert "known_repeat" in on(s, "Ch04Padding") and s.fields["repeated"] == "the full stop"
    assert "ids_plain" in on(ch04(["veidt", "barrymore"]), "Ch04Padding")


def test_ch04_a_repeat_behind_the_ellipsis_is_not_named():
    middle = [f"w{k}" for k in range(38)]
    hidden = ["the"] + middle + ["the", "x"]  # 41 tokens: boxes 0-38, then "…" where the second "the" is
    assert on(ch04(hidden, T=64), "Ch04Padding") & {"unk", "unk_repeat"} == {"unk"}
    drawn = ["the"] + middle + ["the"]  # 40 tokens: all drawn, "the" first and last
    assert on(ch04(drawn, T=64), "Ch04Padding") & {"unk", "unk_repeat"} == {"unk_repeat"}


@pytest.mark.parametrize("words, T, batch, pad, mask", [
    (["good"] * 3, 8, [5, 8], "pad", "mask"),
    (["good"] * 3, 8, None, "pad_one", "mask"),
    (["good"] * 10, 8, None, "pad_cut", "mask_full"),
    (["good"] * 8, 8, None, "pad_none", "mask_full"),
    (["good"] * 8, 8, [8], "pad_none", "mask_full"),
])
def test_ch04_padding_follows_the_rows(words, T, batch, pad, mask):
    s = ch04(words, T=T, batch=batch)
    said_on = on(s, "Ch04Padding")
    assert said_on & {"pad", "pad_one", "pad_cut", "pad_none"} == {pad} and mask in said_on
    assert ("batch" in said_on) == bool(batch)
    if pad == "pad_one":
        assert s.fields["n_pad"] == "5 <pad> ids"
    if pad == "pad_cut":
        assert s.fields["n_tokens"] == "10 tokens"


# --- Ch05 ----------------------------------------------------------------------------------------

def ch05(n=5, n_params=700_000, trained=True, cosines=(0.99, 0.95)):
    pairs = [(f"w{k}", c) for k, c in enumerate(cosines)]
    emb = {"tokens": ["a"] * n, "ids": [4] * n, "E_rows": np.zeros((n, 32)), "vocab_size": 20000, "d_model": 32,
           "trained": trained, "neighbours": [("great", pairs)]}
    return said("Ch05Embedding", embedding=emb, training={"n_params": n_params})


def test_ch05_rows_share_and_neighbours():
    s = ch05()
    assert {"rows", "shape", "weights", "neighbours"} <= on(s, "Ch05Embedding")
    assert s.fields["pct"] == "91 percent" and s.fields["cos_min"] == "0.95" and s.fields["near2"] == "“w1”"
    assert {"rows_one", "shape_one"} <= on(ch05(n=1), "Ch05Embedding")
    assert "weights_part" in on(ch05(n_params=2_000_000), "Ch05Embedding")  # 640,000 of 2,000,000: 32 %
    assert not {"weights", "weights_part"} & on(ch05(n_params=0), "Ch05Embedding")  # no count: nothing said
    assert "neighbours_loose" in on(ch05(cosines=(0.95, 0.6)), "Ch05Embedding")
    assert on(ch05(trained=False), "Ch05Embedding") & {"neighbours", "neighbours_loose", "untrained"} == {"untrained"}


# --- the truth checks and the captions -----------------------------------------------------------

@pytest.fixture(scope="module")
def committed():
    return {name: store.load(name) for name in ("dataset", "tokens", "embedding", "training")}


@pytest.mark.parametrize("cls", sorted(TRUTH))
def test_committed_assets_say_only_true_lines(cls, committed):
    TRUTH[cls](committed, claims.said(cls, lambda name: committed[name]))


@pytest.mark.parametrize("cls, true, false", [
    ("Ch02Dataset", "examples", "examples_given"), ("Ch03Tokens", "bpe_more", "bpe_fewer"),
    ("Ch04Padding", "batch", "batch_one"), ("Ch05Embedding", "rows", "rows_one"),
])
def test_the_truth_check_catches_a_false_line(cls, true, false, committed):
    s = claims.said(cls, lambda name: committed[name])
    wrong = dataclasses.replace(s, off=(s.off - {false}) | {true})
    with pytest.raises(AssertionError):
        TRUTH[cls](committed, wrong)
    with pytest.raises(AssertionError):  # an empty field is caught too
        TRUTH[cls](committed, dataclasses.replace(s, fields={k: "" for k in s.fields}))


def test_long_words_keep_captions_to_two_lines():
    long = "extraordinarily" * 3
    words = [long + "'s", long, "!", long, "veidt" + long]
    s = {"Ch03Tokens": ch03(words, split=[(long, [" a"] * 12)]), "Ch04Padding": ch04(words),
         "Ch05Embedding": ch05(cosines=(0.5, 0.4))}
    for cls, one in s.items():
        for key in on(one, cls):
            line = fill(narration(cls)[key], {**one.fields, "opening": "“" + "m" * 60 + "…”"})
            assert len(textwrap.wrap(line, 78)) <= 2, f"{cls}.{key}: {line}"
