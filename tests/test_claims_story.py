"""The data-sentence rules of Ch01 and Ch11-Ch14 (model/claims/story.py) on small hand-made assets.

Each alternative is tried on a case that makes it true and one that does not, and every case is
also put through the truth check (tests/truth_story.py), which must pass on what the rule said
and fail on the wrong choice. The committed assets get the same truth checks.
"""
from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest
from truth_story import TRUTH

from model import claims, store
from model.choices import motivation_choices
from scenes.chapters import BY_CLASS


def said(cls: str, assets: dict) -> claims.Said:
    s = claims.said(cls, lambda name: assets[name])
    TRUTH[cls](assets, s)  # what the rule lets the chapter say is true of these assets
    return s


def refuted(cls: str, assets: dict, swap: tuple[str, str]) -> None:
    """Saying ``swap[1]`` instead of ``swap[0]`` is caught by the truth check."""
    s = claims.said(cls, lambda name: assets[name])
    wrong = dataclasses.replace(s, off=(s.off - {swap[1]}) | {swap[0]})
    with pytest.raises(AssertionError):
        TRUTH[cls](assets, wrong)


# --- Ch01 ----------------------------------------------------------------------------------------

def ch01_assets(col_a=0.25, col_b=0.25, peak=None, index=7, n_test=4, acc=0.9):
    """Two reordered sentences (dog moves from second to last) and two sharing “bank”, one head."""
    toks = [["the", "dog", "saw", "cat"], ["the", "cat", "saw", "dog"], ["a", "river", "bank"], ["my", "bank", "money"]]
    weights = [np.full((1, len(t), len(t)), 1 / len(t)) for t in toks]
    for k, col, c in ((0, col_a, 1), (1, col_b, 3)):  # the weight each word gives “dog”; the rest shares the remainder
        col = np.broadcast_to(col, (4,))
        weights[k][0] = np.repeat(((1 - col) / 3)[:, None], 4, axis=1)
        weights[k][0][:, c] = col
    if peak is not None:
        weights[2][0, 2] = [peak, (1 - peak) / 2, (1 - peak) / 2]
    sents = [{"text": " ".join(t), "tokens": t, "weights": w} for t, w in zip(toks, weights)]
    return {"classify": {"sentences": sents, "motivation": motivation_choices(sents, {"the", "a"}),
                         "examples": [{"probs": [0.1, 0.9], "pred": 1, "label": 1}]},
            "training": {"test_accuracy": acc, "n_test": n_test},
            "dataset": {"examples": [{"index": index, "label": 1 if index >= 0 else -1}], "test_counts": [2, 2]}}


def test_ch01_words_come_from_the_sentences():
    s = said("Ch01Motivation", ch01_assets())
    assert s.fields["focus"] == "“bank”" and s.fields["near_a"] == "after “river”"
    assert s.fields["near_b"] == "between “my” and “money”" and s.fields["moved"] == "“dog” and “cat”"
    assert (s.fields["word"], s.fields["from"], s.fields["to"]) == ("“dog”", "second", "last")


@pytest.mark.parametrize("cols, line", [((0.3, 0.2), "order_attn"), ((0.2, 0.3), "order_attn"),
                                        (([0.3, 0.2, 0.3, 0.2], 0.25), "order_attn_mixed"),
                                        ((0.25, 0.25), "order_attn_flat")])
def test_ch01_order_line_follows_the_weights(cols, line):
    a = ch01_assets(*cols)
    s = said("Ch01Motivation", a)
    kept = {"order_attn", "order_attn_mixed", "order_attn_flat"} - s.off
    assert kept == {line}
    if line == "order_attn":
        assert (s.fields["hi"], s.fields["lo"]) == (("second", "last") if cols[0] > cols[1] else ("last", "second"))
    other = "order_attn_flat" if line != "order_attn_flat" else "order_attn"
    refuted("Ch01Motivation", a, (line, other))


def test_ch01_order_says_more_weight_the_right_way_round():
    a = ch01_assets(0.3, 0.2)
    s = claims.said("Ch01Motivation", lambda n: a[n])
    flipped = dataclasses.replace(s, fields={**s.fields, "hi": "last", "lo": "second"})
    with pytest.raises(AssertionError):
        TRUTH["Ch01Motivation"](a, flipped)


def test_ch01_spread_or_peak():
    spread, peaked = ch01_assets(), ch01_assets(peak=0.7)
    assert "context_spread" not in said("Ch01Motivation", spread).off
    s = said("Ch01Motivation", peaked)
    assert "context_peak" not in s.off and "context_spread" in s.off
    refuted("Ch01Motivation", peaked, ("context_peak", "context_spread"))
    refuted("Ch01Motivation", spread, ("context_spread", "context_peak"))


def test_ch01_even_share_spread_line():
    assert "order_spread" not in said("Ch01Motivation", ch01_assets(0.3, 0.2)).off  # 0.2..0.3 near 0.25
    assert "order_spread" in said("Ch01Motivation", ch01_assets(0.7, 0.2)).off  # 0.7 is far from an even share


@pytest.mark.parametrize("kw, goal, score", [({}, "goal", "next"), ({"index": -1}, "goal_own", "next"),
                                             ({"n_test": 3}, "goal", "next_part"),
                                             ({"acc": math.nan}, "goal", "next_none")])
def test_ch01_goal_and_score(kw, goal, score):
    s = said("Ch01Motivation", ch01_assets(**kw))
    assert {"goal", "goal_own"} - s.off == {goal} and {"next", "next_part", "next_none"} - s.off == {score}


# --- Ch11 ----------------------------------------------------------------------------------------

def ch11_assets(n=3, d=4, d_ff=8, layers=1):
    rng = np.random.default_rng(0)
    return {"block": {"tokens": ["w"] * n, "d_model": d, "d_ff": d_ff, "n_layers": layers,
                      "x_in": rng.normal(size=(n, d)), "ff_hidden": np.abs(rng.normal(size=(n, d_ff))),
                      "ff_out": rng.normal(size=(n, d)), "block_out": rng.normal(size=(n, d))}}


@pytest.mark.parametrize("kw, lines", [({}, {"attn_out", "ff_hidden", "ff_out", "stack"}),
                                       ({"n": 1, "layers": 3}, {"attn_out_alone", "ff_hidden", "ff_out", "stack_many"}),
                                       ({"d_ff": 2}, {"attn_out", "ff_hidden_narrow", "ff_out_narrow", "stack"}),
                                       ({"d_ff": 4}, {"attn_out", "ff_hidden_same", "ff_out_same", "stack"})])
def test_ch11_lines_follow_the_block(kw, lines):
    a = ch11_assets(**kw)
    s = said("Ch11Block", a)
    alternatives = {"attn_out", "attn_out_alone", "ff_hidden", "ff_hidden_narrow", "ff_hidden_same", "ff_out",
                    "ff_out_narrow", "ff_out_same", "stack", "stack_many"}
    assert alternatives - s.off == lines
    refuted("Ch11Block", a, ("stack", "stack_many") if "stack" in lines else ("stack_many", "stack"))


# --- Ch12 ----------------------------------------------------------------------------------------

def ch12_assets(n=5, T=8, total=None, index=3, wrong=False, d=4):
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(2, d)), rng.normal(size=2)
    pooled = rng.normal(size=d)
    z = W @ pooled + b
    p = np.exp(z) / np.exp(z).sum()
    label = -1 if index < 0 else int(np.argmax(p)) ^ int(wrong)
    mask = np.arange(T) < n
    plain = pooled * n / T if n < T else pooled
    return {"dataset": {"examples": [{"index": index, "n_tokens": total or n, "label": label}]},
            "tokens": {"batch_mask": mask[None, :], "batch_ids": np.where(mask, 5, 0)[None, :],
                       "vocab_head": [(0, "<pad>", 0), (1, "<unk>", 0)]},
            "classify": {"examples": [{"tokens": ["w"] * n, "label": label, "pooled": pooled, "logits": z,
                                       "probs": p, "pred": int(np.argmax(p)),
                                       "correct": None if label < 0 else bool(label == np.argmax(p))}],
                         "W_head": W, "b_head": b,
                         "pad_check": {"pooled_no_pad": pooled, "pooled_padded": pooled, "pooled_unmasked": plain}}}


@pytest.mark.parametrize("kw, rows, check", [({}, "rows", "pad_check"), ({"n": 8}, "rows_full", "pad_check_none"),
                                             ({"n": 8, "total": 20}, "rows_cut", "pad_check_none")])
def test_ch12_padding_lines_follow_the_mask(kw, rows, check):
    a = ch12_assets(**kw)
    s = said("Ch12Classification", a)
    assert {"rows", "rows_full", "rows_cut"} - s.off == {rows}
    assert {"pad_check", "pad_check_none"} - s.off == {check}
    refuted("Ch12Classification", a, (rows, "rows_full" if rows == "rows" else "rows"))


def test_ch12_examples_and_wrong():
    s = said("Ch12Classification", ch12_assets())
    assert "examples" not in s.off and "wrong" in s.off and s.facts["source"] == "IMDB test set"
    assert s.fields["here"] == "Here is our example review"
    own = ch12_assets(index=-1)
    s = said("Ch12Classification", own)
    assert {"examples", "examples_own", "examples_mixed"} - s.off == {"examples_own"} and s.facts["source"] == "yours"
    refuted("Ch12Classification", own, ("examples_own", "examples"))
    bad = ch12_assets(wrong=True)
    assert "wrong" not in said("Ch12Classification", bad).off
    refuted("Ch12Classification", bad, ("wrong", "wrong"))  # leaving the wrong review unsaid is caught too


# --- Ch13 ----------------------------------------------------------------------------------------

def ch13_assets(loss=(0.7, 0.2), acc=(0.5, 0.9), secs=150.0, acc_test=0.88):
    k = 80
    return {"training": {"steps": np.arange(1, k + 1), "step_loss": np.linspace(*loss, k),
                         "step_acc": np.linspace(*acc, k), "epoch": np.array([1, 2]), "epochs": 2,
                         "epoch_train_loss": np.array([0.5, 0.3]), "epoch_train_acc": np.array([0.7, 0.8]),
                         "test_accuracy": acc_test, "n_test": 25000, "train_seconds": secs, "n_params": 1234}}


@pytest.mark.parametrize("kw, lines", [({}, {"loss", "acc", "test", "cost"}),
                                       ({"loss": (0.6, 0.3), "acc": (0.8, 0.8)}, {"loss_end_below", "acc_flat"}),
                                       ({"loss": (0.9, 0.8), "acc": (0.6, 0.4)}, {"loss_above", "acc_falls"}),
                                       ({"secs": math.nan, "acc_test": math.nan}, {"test_none", "cost_untimed"})])
def test_ch13_lines_follow_the_curves(kw, lines):
    a = ch13_assets(**kw)
    s = said("Ch13Training", a)
    keys = ("loss", "loss_end_below", "loss_above", "acc", "acc_flat", "acc_falls", "test", "test_none", "cost",
            "cost_untimed")
    assert lines <= {k for k in keys if k not in s.off}
    if "loss" in lines:
        refuted("Ch13Training", a, ("loss", "loss_above"))
        assert s.fields["took"] == "2 minutes 30 seconds"


# --- Ch14 ----------------------------------------------------------------------------------------

def ch14_assets(n=5, T=8, d=4, h=2, N=1):
    shapes = {"tok": [10, d], "head": [2, d]}
    a = ch12_assets(n=n, T=T, d=d)
    return {"model": {"config": {"max_len": T, "d_model": d, "n_heads": h, "n_layers": N, "n_classes": 2},
                      "n_params": 10 * d + 2 * d, "param_shapes": shapes, "example_n_tokens": n},
            "tokens": a["tokens"], "classify": a["classify"], "dataset": a["dataset"]}


@pytest.mark.parametrize("kw, lines", [({}, {"think", "attention"}), ({"n": 1, "T": 2, "d": 8}, {"think_one",
                                                                                                  "attention_small"})])
def test_ch14_lines_follow_the_shapes(kw, lines):
    a = ch14_assets(**kw)
    s = said("Ch14Recap", a)
    assert {"think", "think_one", "attention", "attention_small"} - s.off == lines and s.facts["pad_id"] == 0
    refuted("Ch14Recap", a, ("attention", "attention_small") if "attention" in lines else ("attention_small",
                                                                                           "attention"))
    assert said("Ch14Recap", ch14_assets(N=3)).fields["blocks"] == "the 3 blocks"


def test_ch14_truth_catches_a_wrong_pad_id():
    a = ch14_assets()
    s = claims.said("Ch14Recap", lambda n: a[n])
    with pytest.raises(AssertionError):
        TRUTH["Ch14Recap"](a, dataclasses.replace(s, facts={**s.facts, "pad_id": 1}))


# --- the committed assets ------------------------------------------------------------------------

@pytest.mark.parametrize("cls", sorted(TRUTH))
def test_committed_assets_say_only_what_is_true(cls):
    assets = {name: store.load(name) for name in BY_CLASS[cls].reads}
    s = said(cls, copy.deepcopy(assets))
    assert s.fields or s.off, f"{cls}: the rule decided nothing"
