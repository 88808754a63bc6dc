"""Truth checks of the data sentences of Ch01 and Ch11-Ch14: each said line restated, and checked on the assets.

``TRUTH[chapter](assets, said)`` asserts that every line the rule (model/claims/story.py) lets the
chapter say is true of ``assets`` (asset name -> dict), recomputing what the sentence claims from the
arrays rather than from the rule's own flags, that each group of alternatives says exactly one line,
and that every said line is filled and fits two caption lines.
"""
from __future__ import annotations

import math
import re
import textwrap

import numpy as np

from model.claims import Said
from scenes.chapters import scene_class
from scenes.common.speech import fill

ORD = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


def said_lines(cls: str, said: Said) -> dict[str, str]:
    """The filled lines ``said`` lets chapter ``cls`` say; each is filled and fits 2 lines of 78."""
    narration = scene_class(cls).NARRATION
    assert said.off <= set(narration), f"{cls}: off names lines that do not exist: {said.off - set(narration)}"
    out = {}
    for key, line in narration.items():
        if key in said.off:
            continue
        text = fill(line, said.fields)  # KeyError: a field the rule did not fill
        assert "{" not in text and "}" not in text, f"{cls}[{key}] is not filled: {text}"
        assert len(textwrap.wrap(text, 78)) <= 2, f"{cls}[{key}] needs 3 caption lines: {text}"
        out[key] = text
    return out


def one_of(lines: dict, cls: str, *keys: str) -> str:
    got = [k for k in keys if k in lines]
    assert len(got) == 1, f"{cls}: of {keys} the data should keep exactly one, kept {got}"
    return got[0]


def words_in(text: str) -> list[str]:
    return re.findall(r"“([^”]*)”", text)


def place_of(word: str, n: int) -> int:
    return n - 1 if word == "last" else ORD.index(word) if word in ORD else int(word[:-2]) - 1


def number(text: str) -> float:
    return float(text.replace(",", ""))


# --- Ch01 ----------------------------------------------------------------------------------------

def ch01(assets: dict, said: Said) -> None:
    lines = said_lines("Ch01Motivation", said)
    cls, tr, ds = assets["classify"], assets["training"], assets["dataset"]
    sents, m, f = cls["sentences"], cls["motivation"], said.fields
    (ca, cb), (oa, ob) = m["context_pair"], m["order_pair"]
    focus = words_in(f["focus"])[0]
    for k, key in ((ca, "near_a"), (cb, "near_b")):  # the words right beside the focus word
        t = list(sents[k]["tokens"])
        i = t.index(focus)
        left, right = t[i - 1] if i else None, t[i + 1] if i + 1 < len(t) else None
        got = words_in(f[key])
        want = [w for w in (left, right) if w is not None]
        assert got == want, f"{focus!r} in {t} sits beside {want}, the line says {f[key]!r}"
    h = int(m["focus_head"])  # the head the chapter draws
    rows = []
    for k, key in ((ca, "best_a"), (cb, "best_b")):
        t = list(sents[k]["tokens"])
        i = t.index(focus)
        w = np.asarray(sents[k]["weights"], dtype=float)[h, i]
        rows.append(w)
        others = [j for j in range(len(t)) if j != i]
        best = words_in(f[key])[0]
        assert any(t[j] == best and w[j] >= max(w[o] for o in others) for j in others), \
            f"{focus!r} does not weigh {best!r} most of the other words of {t}: {np.round(w, 3)}"
    spread = one_of(lines, "Ch01", "context_spread", "context_peak")
    if spread == "context_spread":
        assert all(r.max() < 0.5 for r in rows), "a word takes half of the focus word's weight"
        top = max(r.max() * len(r) for r in rows)
        assert abs(top - float(f["ratio"])) <= 0.05 + 1e-9, f"the largest weight is {top:.3f} even shares"
    else:
        assert any(r.max() >= 0.5 for r in rows), "no word takes half of the focus word's weight"
    a, b = list(sents[oa]["tokens"]), list(sents[ob]["tokens"])
    assert sorted(a) == sorted(b) and a != b, f"{a} and {b} are not the same words in another order"
    moved = {w for w in a if [i for i, v in enumerate(a) if v == w] != [i for i, v in enumerate(b) if v == w]}
    assert set(words_in(f["moved"])) == moved, f"the words that change places are {moved}, not {f['moved']}"
    # the same word in both sentences: the k-th time it occurs in b is the k-th time in a
    twin = [[i for i, v in enumerate(a) if v == w][b[:p].count(w)] for p, w in enumerate(b)]
    oh = int(m["order_head"])
    wa, wb = np.asarray(sents[oa]["weights"], dtype=float)[oh], np.asarray(sents[ob]["weights"], dtype=float)[oh]
    word = words_in(f["word"])[0]
    ka, kb = place_of(f["from"], len(a)), place_of(f["to"], len(b))
    assert a[ka] == word and b[kb] == word and twin[kb] == ka, f"{word!r} is not {f['from']} in {a}, {f['to']} in {b}"
    gain = np.array([wa[twin[p], ka] - wb[p, kb] for p in range(len(b))])  # what each word gives it, a minus b
    how = one_of(lines, "Ch01", "order_attn", "order_attn_mixed", "order_attn_flat")
    if how == "order_attn":
        hi_in_a = place_of(f["hi"], len(a)) == ka and place_of(f["lo"], len(b)) == kb
        assert hi_in_a or (place_of(f["hi"], len(b)) == kb and place_of(f["lo"], len(a)) == ka)
        assert np.all(gain > 0) if hi_in_a else np.all(gain < 0), f"not every word gives {word!r} more: {gain}"
    elif how == "order_attn_mixed":
        assert gain.max() > 0 > gain.min(), f"the weights {word!r} draws all move one way: {gain}"
    else:
        assert np.abs(gain).max() < 0.01, f"the weights {word!r} draws change by up to {np.abs(gain).max():.3f}"
    if "order_spread" in lines:
        lo, hi, even = float(f["w_lo"]), float(f["w_hi"]), float(f["even"])
        both = np.concatenate([wa.ravel(), wb.ravel()])
        assert lo <= both.min() and both.max() <= hi, f"weights run {both.min():.3f}..{both.max():.3f}"
        assert abs(even - 1 / len(a)) < 0.005 and lo >= even / 2 - 0.01 and hi <= 2 * even + 0.01
    ex = ds["examples"][0]
    goal = one_of(lines, "Ch01", "goal", "goal_own")
    assert (goal == "goal") == (int(ex["index"]) >= 0 and int(ex["label"]) in (0, 1)), "test review or not"
    acc, n_test = float(tr["test_accuracy"]), int(tr["n_test"])
    score = one_of(lines, "Ch01", "next", "next_part", "next_none")
    if score == "next_none":
        assert n_test == 0 or math.isnan(acc), "the model was scored: its score is left unsaid"
    else:
        assert n_test > 0 and not math.isnan(acc), "no test score to show"
        whole = n_test == sum(int(c) for c in ds["test_counts"])
        assert whole == (score == "next"), f"{n_test} test reviews of {sum(ds['test_counts'])}"
        assert score == "next" or number(f["n_test"]) == n_test


# --- Ch11 ----------------------------------------------------------------------------------------

def ch11(assets: dict, said: Said) -> None:
    lines = said_lines("Ch11Block", said)
    b, f = assets["block"], said.fields
    n, d = np.shape(b["x_in"])
    d_ff = np.shape(b["ff_hidden"])[1]
    alone = one_of(lines, "Ch11", "attn_out", "attn_out_alone") == "attn_out_alone"
    assert alone == (n == 1) == (len(b["tokens"]) == 1), f"the review has {n} tokens"
    hid = one_of(lines, "Ch11", "ff_hidden", "ff_hidden_narrow", "ff_hidden_same")
    out = one_of(lines, "Ch11", "ff_out", "ff_out_narrow", "ff_out_same")
    want = "ff_hidden" if d_ff > d else "ff_hidden_narrow" if d_ff < d else "ff_hidden_same"
    assert hid == want and out == want.replace("hidden", "out"), f"the hidden layer is {d_ff} wide, the model {d}"
    assert int(f["d"]) == d == np.shape(b["ff_out"])[1] and int(f["d_ff"]) == d_ff
    assert np.all(np.asarray(b["ff_hidden"]) >= 0), "ReLU leaves no negative number"
    assert np.shape(b["block_out"]) == np.shape(b["x_in"]), "the block's output is as wide as its input"
    stack = one_of(lines, "Ch11", "stack", "stack_many")
    layers = int(b["n_layers"])
    assert (stack == "stack") == (layers == 1) and (stack == "stack" or int(f["n_layers"]) == layers)


# --- Ch12 ----------------------------------------------------------------------------------------

def ch12(assets: dict, said: Said) -> None:
    lines = said_lines("Ch12Classification", said)
    ds, tok, cls, f = assets["dataset"], assets["tokens"], assets["classify"], said.fields
    mask = np.asarray(tok["batch_mask"][0]).astype(bool)
    T, n, total = len(mask), int(mask.sum()), int(ds["examples"][0]["n_tokens"])
    read = len(cls["examples"][0]["tokens"])
    assert mask[:n].all() and not mask[n:].any() and n == read, "the mask marks the tokens read, then padding"
    rows = one_of(lines, "Ch12", "rows", "rows_full", "rows_cut")
    if rows == "rows":
        assert n < T, f"the review fills all {T} positions: it is not padded"
    else:
        assert n == T and int(f["T"]) == T, f"{n} of {T} positions are real: the review is padded"
        assert (rows == "rows_cut") == (total > T) and (rows == "rows_full" or number(f["n_total"]) == total)
    pc = {k: np.asarray(v, dtype=float) for k, v in cls["pad_check"].items()}
    gap = np.abs(pc["pooled_unmasked"] - pc["pooled_no_pad"]).max()
    if "pad_check" in lines:
        assert n < T and np.allclose(pc["pooled_padded"], pc["pooled_no_pad"], atol=1e-5) and gap > 1e-3
    if "pad_check_none" in lines:
        assert n == T and np.allclose(pc["pooled_padded"], pc["pooled_no_pad"], atol=1e-5) and gap <= 1e-5
    W, bias = np.asarray(cls["W_head"], dtype=float), np.asarray(cls["b_head"], dtype=float)
    for e in cls["examples"]:
        z = W @ np.asarray(e["pooled"], dtype=float) + bias
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        assert W.shape[0] == 2 and np.allclose(z, e["logits"], atol=1e-3), "two scores: W·pooled + b"
        assert np.allclose(p, e["probs"], atol=1e-4) and abs(p.sum() - 1) < 1e-6, "softmax of the two scores"
    exs = ds["examples"]
    which = one_of(lines, "Ch12", "examples", "examples_own", "examples_mixed")
    from_test = all(int(e["index"]) >= 0 and int(e["label"]) in (0, 1) for e in exs)
    assert (which == "examples") == from_test, "the reviews are all from the test set, or not"
    if which == "examples":
        count = re.findall(r"\d+", f["here"])
        assert (int(count[0]) if count else 1) == len(exs) == len(cls["examples"]), f"{len(exs)} reviews"
        assert said.facts["source"] == "IMDB test set"
    if which == "examples_own":
        assert len(exs) == 1 and int(exs[0]["index"]) < 0 and int(cls["examples"][0]["label"]) < 0
    wrong = [e for e in cls["examples"] if int(e["label"]) >= 0 and int(np.argmax(e["probs"])) != int(e["label"])]
    assert ("wrong" in lines) == bool(wrong), f"{len(wrong)} of the reviews are misclassified"


# --- Ch13 ----------------------------------------------------------------------------------------

def ch13(assets: dict, said: Said) -> None:
    lines = said_lines("Ch13Training", said)
    tr, f = assets["training"], said.fields
    w = max(1, len(tr["steps"]) // 40)  # the chapter's window: a fortieth of the run (shown on screen)
    loss, acc = np.asarray(tr["step_loss"], dtype=float), np.asarray(tr["step_acc"], dtype=float)
    l0, l1, a0, a1 = loss[:w].mean(), loss[-w:].mean(), acc[:w].mean(), acc[-w:].mean()
    ln2 = math.log(2)
    how = one_of(lines, "Ch13", "loss", "loss_end_below", "loss_above")
    assert {"loss": l0 >= ln2 > l1, "loss_end_below": l0 < ln2 and l1 < ln2, "loss_above": l1 >= ln2}[how], \
        f"the smoothed loss runs from {l0:.3f} to {l1:.3f}, ln 2 = {ln2:.3f}"
    how = one_of(lines, "Ch13", "acc", "acc_flat", "acc_falls")
    assert {"acc": a1 > a0 + 0.02, "acc_flat": abs(a1 - a0) <= 0.02, "acc_falls": a1 < a0 - 0.02}[how], \
        f"the smoothed accuracy runs from {a0:.3f} to {a1:.3f}"
    if how == "acc_flat":
        assert abs(float(f["acc_end"].split()[0]) - a1 * 100) <= 0.5
    assert len(tr["epoch_train_loss"]) == len(tr["epoch"]) == int(tr["epochs"]), "one segment per epoch"
    test = one_of(lines, "Ch13", "test", "test_none")
    scored = int(tr["n_test"]) > 0 and not math.isnan(float(tr["test_accuracy"]))
    assert (test == "test") == scored and (not scored or number(f["n_test"]) == int(tr["n_test"]))
    cost = one_of(lines, "Ch13", "cost", "cost_untimed")
    assert number(f["n_params"]) == int(tr["n_params"])
    secs = float(tr["train_seconds"])
    assert (cost == "cost") == (not math.isnan(secs))
    if cost == "cost":
        parts = re.findall(r"([\d,]+) (minute|second)", f["took"])
        told = sum(number(v) * (60 if unit == "minute" else 1) for v, unit in parts)
        assert abs(told - secs) <= 1, f"trained in {secs:.1f} s, the line says {f['took']}"


# --- Ch14 ----------------------------------------------------------------------------------------

def ch14(assets: dict, said: Said) -> None:
    lines = said_lines("Ch14Recap", said)
    m, tok, cls, f = assets["model"], assets["tokens"], assets["classify"], said.fields
    cfg = m["config"]
    T, d, h, N, k = (int(cfg[x]) for x in ("max_len", "d_model", "n_heads", "n_layers", "n_classes"))
    n = len(cls["examples"][0]["tokens"])
    think = one_of(lines, "Ch14", "think", "think_one")
    assert (think == "think_one") == (n == 1), f"the review has {n} tokens"
    assert f["blocks"] == ("the block" if N == 1 else f"the {N} blocks"), f"{N} blocks"
    shown = {"ids": T, "embed": T * d, "block": T * d, "pooled": d, "logits": k}  # the shapes on screen, less h·T·T
    largest = one_of(lines, "Ch14", "attention", "attention_small") == "attention"
    assert largest == all(h * T * T > v for v in shown.values()), f"h·T·T = {h * T * T} against {shown}"
    sizes = sum(int(np.prod(s)) for s in m["param_shapes"].values())
    assert number(f["n_params"]) == int(m["n_params"]) == sizes, f"the parameter shapes hold {sizes}"
    assert k == 2 and len(cls["examples"][0]["probs"]) == 2, "two scores, one probability"
    pad = said.facts["pad_id"]
    assert {w: i for i, w, _ in tok["vocab_head"]}.get("<pad>") == pad, "the id shown for <pad>"
    ids = np.asarray(tok["batch_ids"][0])
    assert n == T or np.all(ids[n:] == pad), "the padding positions hold the <pad> id"


TRUTH = {"Ch01Motivation": ch01, "Ch11Block": ch11, "Ch12Classification": ch12, "Ch13Training": ch13,
         "Ch14Recap": ch14}
