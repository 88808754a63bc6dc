"""Chapters 1, 11, 12, 13 and 14: each builds under manim's dry run from the committed assets,
and what it shows matches the assets.

Each chapter is run once per session by the ``scene_run`` fixture (tests/scene_runs.py), which
records every mobject it showed, so these tests can look for the Texts, ValueMatrices and Heatmaps
it built. Length, font sizes and the frame are checked for every chapter in test_scenes_construct.py.
What a chapter chooses to show was chosen by the export (``classify.pkl``'s ``motivation`` for
chapter 1; the rules in model/choices.py, tested in test_choices.py); the tests read those stored
choices, and write out here whatever else they expect, without importing a chapter.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from manim import MathTex, Text
from scene_runs import chapter_fixture

from model import store
from scenes.common import Heatmap, ValueMatrix, fmt

ch01 = chapter_fixture("ch01", "Ch01Motivation")
ch11 = chapter_fixture("ch11", "Ch11Block")
ch12 = chapter_fixture("ch12", "Ch12Classification")
ch13 = chapter_fixture("ch13", "Ch13Training")
ch14 = chapter_fixture("ch14", "Ch14Recap")

CHAPTERS = ["ch01", "ch11", "ch12", "ch13", "ch14"]
PLACES = ("first", "second", "third", "fourth", "fifth", "sixth")
# chapter 11 follows the review's first token through the block: (vector, formula on screen) per stage
TOKEN = 0
STAGES = {
    False: [("x_in", "token + position"), ("attn_out", "MultiHead(x_in)"), ("resid1", "x_in + attn_out"),
            ("norm1", "LayerNorm(resid1)"), ("ff_hidden", "ReLU(norm1·W1 + b1)"), ("ff_out", "ff_hidden·W2 + b2"),
            ("resid2", "norm1 + ff_out"), ("block_out", "LayerNorm(resid2)")],
    True: [("x_in", "token + position"), ("norm1", "LayerNorm(x_in)"), ("attn_out", "MultiHead(norm1)"),
           ("resid1", "x_in + attn_out"), ("ff_hidden", "ReLU(LayerNorm(resid1)·W1 + b1)"),
           ("ff_out", "ff_hidden·W2 + b2"), ("resid2", "resid1 + ff_out"), ("block_out", "resid2")],
}


# --- every chapter ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHAPTERS)
def test_every_true_narration_line_is_spoken_once(name, request):
    scene = request.getfixturevalue(name)
    # every line the data makes true is spoken once, filled in, as a subcaption (so the .srt is complete);
    # the others (model/claims/story.py, tested in test_claims_story.py) never are
    said = [scene.line(k) for k in scene.NARRATION if k not in scene.said.off]
    assert sorted(scene.captions) == sorted(said)
    assert not any("{" in c for c in scene.captions)


# --- chapter 1 --------------------------------------------------------------------------------

def test_ch01_shows_the_real_sentences_and_weights(ch01):
    cls = store.load("classify")
    sents, pick = cls["sentences"], cls["motivation"]
    common = {w for _, w, _ in store.load("tokens")["vocab_head"]}
    (ca, cb), focus, (oa, ob) = pick["context_pair"], pick["focus_word"], pick["order_pair"]
    assert focus in sents[ca]["tokens"] and focus in sents[cb]["tokens"] and focus not in common
    assert f"“{focus}”" in ch01.line("context")  # the narration talks about the word the data puts in focus
    assert sorted(sents[oa]["tokens"]) == sorted(sents[ob]["tokens"]) and sents[oa]["tokens"] != sents[ob]["tokens"]
    # every token of the four sentences is on screen
    assert {t for k in (ca, cb, oa, ob) for t in sents[k]["tokens"]} <= ch01.texts
    # the weights written under the focus word's sentences are its real row in block 1, in the stored head
    for k, i in zip((ca, cb), pick["focus_places"]):
        assert sents[k]["tokens"][i] == focus
        assert {fmt(v) for v in np.asarray(sents[k]["weights"])[pick["focus_head"], i]} <= ch01.texts
    # the two heatmaps are the stored head of each reordered sentence, with its tokens
    maps = [m for m in ch01.family if isinstance(m, Heatmap)]
    assert len(maps) == 2
    wa, wb = np.asarray(sents[oa]["weights"]), np.asarray(sents[ob]["weights"])
    oh = pick["order_head"]
    assert np.array_equal(maps[0].weights, wa[oh]) and np.array_equal(maps[1].weights, wb[oh])
    assert [t.original_text for t in maps[0].row_label_mobs] == list(sents[oa]["tokens"])
    mapping = pick["order_mapping"]  # b's words, each from its place in a
    assert [sents[oa]["tokens"][p] for p in mapping] == list(sents[ob]["tokens"])
    assert mapping != list(range(len(sents[ob]["tokens"])))
    # the values are written in the cells, and the narration's claim about the word it follows holds
    assert all(len(m.values) == m.weights.size for m in maps)
    ka, kb = pick["moved_word"]
    word, line = sents[oa]["tokens"][ka], ch01.line("order_attn")  # the committed sentences: the one-way case
    assert sents[ob]["tokens"][kb] == word and ka != kb
    assert f"Follow “{word}”:" in line and f"comes {PLACES[ka]}" in line
    assert kb == len(mapping) - 1 and "comes last" in line
    # every word gives it more weight in a than the same word gives it in b
    assert all(maps[0].weights[mapping[p], ka] > maps[1].weights[p, kb] for p in range(len(mapping)))


def test_ch01_heatmaps_share_a_scale_to_their_largest_weight(ch01):
    """Weights near 1/5 would all be one dark colour on a 0-to-1 scale: both maps run from 0 to their
    largest weight, on one scale, and the key says so."""
    from scenes.common import weight_color

    maps = [m for m in ch01.family if isinstance(m, Heatmap)]
    vmax = float(max(m.weights.max() for m in maps))
    assert vmax < 0.5  # the reason for the scale
    assert all(m.vmax == vmax for m in maps)
    keys = [m.legend for m in maps if len(m.legend)]
    assert len(keys) == 1 and (keys[0][1].original_text, keys[0][2].original_text) == ("0", fmt(vmax))
    for m in maps:
        for k, sq in enumerate(m.squares):
            assert sq.get_fill_color().to_hex().lower() == weight_color(m.weights.flat[k] / vmax).to_hex().lower()
    top = [m for m in maps if m.weights.max() == vmax][0]
    k = int(np.argmax(top.weights))
    assert top.squares[k].get_fill_color().to_hex().lower() == weight_color(1.0).to_hex().lower()
    # the numbers written in the squares stay readable on the brighter colours: light or dark ink, by contrast
    from scenes.common import contrast

    for m in maps:
        assert all(contrast(t.get_color(), sq.get_fill_color()) > 4 for t, sq in zip(m.values, m.squares))


def test_ch01_goal_numbers(ch01):
    ex = store.load("classify")["examples"][0]
    tr = store.load("training")
    assert f"P(positive) = {fmt(ex['probs'][1], digits=3)}" in ch01.texts  # 3 digits: 0.996 is not 1.00
    assert f"{float(tr['test_accuracy']) * 100:.1f} %" in ch01.texts
    assert any(f"{int(tr['n_test']):,}" in t for t in ch01.texts)
    assert "Vaswani et al., 2017" in ch01.texts and "Attention Is All You Need" in ch01.texts


# --- chapter 11 -------------------------------------------------------------------------------

def test_ch11_vectors_are_the_first_tokens_real_intermediates(ch11):
    b = store.load("block")
    mats = [m for m in ch11.family if isinstance(m, ValueMatrix)]
    for key, _ in STAGES[bool(b["norm_first"])]:
        want = np.asarray(b[key])[TOKEN][None, :]
        assert any(m.array.shape == want.shape and np.allclose(m.array, want) for m in mats), key
    assert any(m.array.shape[1] == int(b["d_ff"]) for m in mats)  # ff_hidden is d_ff wide
    assert f"N = {int(b['n_layers'])}" in ch11.texts
    stack = next(c for c in ch11.captions if "stacked" in c)  # the narration's count is the model's
    assert ("just one" in stack) == (int(b["n_layers"]) == 1)
    zeros = int((np.asarray(b["ff_hidden"])[TOKEN] == 0).sum())
    assert f"ff_hidden: {zeros} of its {int(b['d_ff'])} entries are 0 after ReLU" in ch11.texts


def test_ch11_diagram_matches_what_the_model_computes(ch11):
    """The formulas on screen (which follow norm_first) hold for the exported numbers."""
    b = {k: np.asarray(v) if isinstance(v, np.ndarray) else v for k, v in store.load("block").items()}
    formulas = dict(STAGES[bool(b["norm_first"])])
    assert np.allclose(b["resid1"], b["x_in"] + b["attn_out"], atol=1e-5)
    if b["norm_first"]:
        assert formulas["resid2"] == "resid1 + ff_out"
        assert np.allclose(b["resid2"], b["resid1"] + b["ff_out"], atol=1e-5)
    else:
        assert formulas["resid2"] == "norm1 + ff_out"
        assert np.allclose(b["resid2"], b["norm1"] + b["ff_out"], atol=1e-5)
    assert np.all(b["ff_hidden"] >= 0)  # after ReLU
    assert {"= " + f for f in formulas.values()} <= ch11.texts


# --- chapter 12 -------------------------------------------------------------------------------

def test_ch12_padding_check_numbers(ch12):
    pc = store.load("classify")["pad_check"]
    ref = np.asarray(pc["pooled_no_pad"])
    gap = float(np.abs(np.asarray(pc["pooled_unmasked"]) - ref).max())
    assert np.allclose(np.asarray(pc["pooled_padded"]), ref, atol=1e-5)
    assert gap > 1e-3  # the point of the check: a plain mean is pulled by the padding
    assert f"differs by up to {fmt(gap)}" in ch12.texts
    mats = [m for m in ch12.family if isinstance(m, ValueMatrix)]
    for key in ("pooled_no_pad", "pooled_padded", "pooled_unmasked"):
        assert any(np.allclose(m.array, np.asarray(pc[key])[None, :]) for m in mats), key


def test_ch12_head_softmax_and_examples(ch12):
    cls = store.load("classify")
    W, b = np.asarray(cls["W_head"]), np.asarray(cls["b_head"])
    ex = cls["examples"][0]
    logits = np.asarray(ex["logits"])
    assert W.shape[0] == 2 and np.allclose(W @ np.asarray(ex["pooled"]) + b, logits, atol=1e-4)
    assert any(isinstance(m, ValueMatrix) and np.array_equal(m.array, W) for m in ch12.family)
    assert f"W_head  {W.shape[0]} × {W.shape[1]}" in ch12.texts
    tex = " ".join(m.tex_string for m in ch12.family if isinstance(m, MathTex))
    assert fmt(logits[0]) in tex and fmt(logits[1]) in tex and fmt(ex["probs"][1], digits=3) in tex
    for e in cls["examples"]:
        assert fmt(e["probs"][1], digits=3) in ch12.texts
    n_wrong = sum(not e["correct"] for e in cls["examples"])
    assert n_wrong >= 1  # the selection rule includes one review the model gets wrong
    marks = [m.original_text for m in ch12.family if isinstance(m, Text) and m.original_text in ("right", "wrong")]
    assert marks.count("wrong") == n_wrong and marks.count("right") == len(cls["examples"]) - n_wrong


# --- chapter 13 -------------------------------------------------------------------------------

def test_ch13_curves_are_the_real_history(ch13):
    tr = store.load("training")
    w = max(1, len(tr["steps"]) // 40)  # the chapter's window: a fortieth of the run
    trailing = lambda x: np.convolve(np.asarray(x, dtype=float), np.ones(w) / w, mode="valid")  # noqa: E731
    assert np.allclose(ch13.plots["loss"][0], trailing(tr["step_loss"]))  # the mean of the last w steps
    assert np.allclose(ch13.plots["acc"][0], trailing(tr["step_acc"]))
    assert np.isclose(ch13.plots["loss"][0][0], np.mean(tr["step_loss"][:w]))
    assert len(ch13.segments) == 2 * len(tr["epoch"])
    assert any(f"moving average of the last {w} steps" in t for t in ch13.texts)  # the smoothing is said on screen
    assert f"{float(tr['test_accuracy']) * 100:.1f} %" in ch13.texts
    assert f"of all {int(tr['n_test']):,} test reviews" in ch13.texts
    assert f"{int(tr['n_params']):,} parameters" in ch13.texts
    for loss, acc in zip(tr["epoch_train_loss"], tr["epoch_train_acc"]):
        assert fmt(loss, digits=3) in ch13.texts and f"{float(acc) * 100:.1f} %" in ch13.texts


def test_ch13_axis_steps():
    from scenes.common import nice_step

    assert nice_step(316) == 100 and nice_step(1.0) == 0.5 and nice_step(0.8) == 0.2


# --- chapter 14 -------------------------------------------------------------------------------

def test_ch14_shapes_match_the_checkpoint_config(ch14):
    cfg = store.load("model")["config"]
    T, d, h, k = cfg["max_len"], cfg["d_model"], cfg["n_heads"], cfg["n_classes"]
    n = store.load("model")["example_n_tokens"]
    want = {  # written out here, independently of the scene's own code
        "ids": f"1 × {T}",
        "embed": f"1 × {T} × {d}",
        "attention": f"1 × {h} × {T} × {T}",
        "block": f"1 × {T} × {d}",
        "pooled": f"1 × {d}",
        "logits": f"1 × {k}",
        "tokens": f"n = {n} tokens",
    }
    got = {key: ch14.shape_tags[key].original_text for key in want}
    assert got == want
    assert set(want.values()) <= ch14.texts
    assert f"block × {cfg['n_layers']}" in ch14.texts
    assert n == len(store.load("classify")["examples"][0]["tokens"]) and T == store.load("tokens")["max_len"]


def test_ch14_ends_with_the_real_prediction(ch14):
    ex = store.load("classify")["examples"][0]
    assert f"P(positive) = {fmt(ex['probs'][1], digits=3)}" in ch14.texts  # 3 digits: 0.996 is not 1.00
    assert ("negative", "positive")[int(ex["pred"])] in ch14.texts
    assert f"{int(store.load('model')['n_params']):,} learned parameters" in ch14.texts
    assert not math.isnan(float(ex["probs"][1]))
