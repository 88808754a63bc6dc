"""Data sentences of Ch01 and Ch11-Ch14 (motivation, block, classification, training, recap): see :mod:`model.claims`.

Words are quoted as “word”; numbers are digits (the voice spells them out).
"""
from __future__ import annotations

import math

import numpy as np

from . import Load, Said, count_words, listed, pick, quoted, rule

SPREAD = 2.0  # "spread out": every weight within this factor of an even share (and none takes half)
SAME = 0.005  # weights that agree to 2 decimals (as drawn) are "the same"
ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()


def words_list(words: list[str]) -> str:
    """“a”, “b” and “c” (each word once, in order)."""
    return listed([quoted(w) for w in dict.fromkeys(words)])


def place(i: int, n: int) -> str:
    """A word's place in a sentence of ``n`` words, as said: "first", "third", "last"."""
    if i == n - 1 and n > 1:
        return "last"
    return ORDINALS[i] if i < len(ORDINALS) else f"{i + 1}th"


def neighbours(tokens: list[str], i: int) -> str:
    """Where word ``i`` sits: between “a” and “b”, after “a”, before “b”, or on its own."""
    left, right = tokens[i - 1] if i > 0 else None, tokens[i + 1] if i + 1 < len(tokens) else None
    if left and right:
        return f"between {quoted(left)} and {quoted(right)}"
    return f"after {quoted(left)}" if left else f"before {quoted(right)}" if right else "on its own"


# --- Ch01 ----------------------------------------------------------------------------------------

@rule("Ch01Motivation")
def motivation(load: Load) -> Said:
    cls, tr, ds = load("classify"), load("training"), load("dataset")
    sents, m = cls["sentences"], cls["motivation"]
    (ca, cb), focus, (oa, ob) = m["context_pair"], m["focus_word"], m["order_pair"]
    toks = {k: list(sents[k]["tokens"]) for k in (ca, cb, oa, ob)}
    w = {k: np.asarray(sents[k]["weights"], dtype=float) for k in (ca, cb, oa, ob)}
    fh, oh = int(m["focus_head"]), int(m["order_head"])
    # context: the focus word's row in each sentence, against an even share 1/n
    rows = [w[k][fh, i] for k, i in zip((ca, cb), m["focus_places"])]
    ratios = [float(r.max() * len(r)) for r in rows]
    top = max(range(2), key=lambda s: float(rows[s].max()))
    peak_j = int(np.argmax(rows[top]))
    best = [toks[k][j] for k, j in zip((ca, cb), m["focus_strongest"])]
    spread_out = all(float(r.max()) < 0.5 for r in rows) and max(ratios) < SPREAD
    # order: the moved word's column, each word compared with itself in the other sentence
    mapping, (ka, kb) = list(m["order_mapping"]), m["moved_word"]
    n = len(toks[ob])
    gain = np.array([w[oa][oh, mapping[p], ka] - w[ob][oh, p, kb] for p in range(n)])
    moved = [toks[oa][mapping[p]] for p in sorted(range(n), key=lambda p: mapping[p]) if mapping[p] != p]
    both = np.concatenate([w[oa][oh].ravel(), w[ob][oh].ravel()])
    lo, hi = math.floor(both.min() * 100) / 100, math.ceil(both.max() * 100) / 100
    flat = bool(np.all(np.abs(gain) < SAME))
    one_way = not flat and (bool(np.all(gain > 0)) or bool(np.all(gain < 0)))
    pa, pb = place(ka, n), place(kb, n)
    more_in_a = bool(np.all(gain > 0))
    # the goal and the score
    ex = ds["examples"][0]
    acc, n_test = float(tr["test_accuracy"]), int(tr["n_test"])
    scored = n_test > 0 and not math.isnan(acc)
    whole = scored and n_test == sum(int(c) for c in ds["test_counts"])
    fields = {
        "focus": quoted(focus), "near_a": neighbours(toks[ca], m["focus_places"][0]),
        "near_b": neighbours(toks[cb], m["focus_places"][1]), "best_a": quoted(best[0]), "best_b": quoted(best[1]),
        "ratio": f"{max(ratios):.1f}", "peak_word": quoted(toks[(ca, cb)[top]][peak_j]),
        "peak": f"{float(rows[top].max()):.2f}", "moved": words_list(moved), "word": quoted(toks[oa][ka]),
        "hi": pa if more_in_a else pb, "lo": pb if more_in_a else pa, "from": pa, "to": pb,
        "w_lo": f"{lo:.2f}", "w_hi": f"{hi:.2f}", "even": f"{round(1 / n, 2):g}", "n_test": f"{n_test:,}",
    }
    off = pick({
        "context_spread": spread_out, "context_peak": not spread_out,
        "order_attn": one_way, "order_attn_mixed": not flat and not one_way, "order_attn_flat": flat,
        "order_spread": lo >= 0.5 / n and hi <= SPREAD / n,
        "goal": int(ex["index"]) >= 0, "goal_own": int(ex["index"]) < 0,
        "next": whole, "next_part": scored and not whole, "next_none": not scored,
    })
    facts = {"ratios": ratios, "spread_out": spread_out, "gain": gain.tolist(), "moved": moved,
             "weights_range": (float(both.min()), float(both.max())), "even_order": 1 / n, "scored": scored}
    return Said(fields, off, facts)


# --- Ch11 ----------------------------------------------------------------------------------------

@rule("Ch11Block")
def block(load: Load) -> Said:
    b = load("block")
    d, d_ff, layers, n = int(b["d_model"]), int(b["d_ff"]), int(b["n_layers"]), len(b["tokens"])
    width = "wide" if d_ff > d else "narrow" if d_ff < d else "same"
    fields = {"d": str(d), "d_ff": str(d_ff), "n_layers": str(layers)}
    off = pick({"attn_out": n > 1, "attn_out_alone": n == 1,
                "ff_hidden": width == "wide", "ff_hidden_narrow": width == "narrow", "ff_hidden_same": width == "same",
                "ff_out": width == "wide", "ff_out_narrow": width == "narrow", "ff_out_same": width == "same",
                "stack": layers == 1, "stack_many": layers > 1})
    return Said(fields, off, {"d": d, "d_ff": d_ff, "n_layers": layers, "n_tokens": n})


# --- Ch12 ----------------------------------------------------------------------------------------

@rule("Ch12Classification")
def classification(load: Load) -> Said:
    ds, tok, cls = load("dataset"), load("tokens"), load("classify")
    mask = np.asarray(tok["batch_mask"][0]).astype(bool)
    n, T, total = int(mask.sum()), int(mask.shape[0]), int(ds["examples"][0]["n_tokens"])
    pc = {k: np.asarray(v, dtype=float) for k, v in cls["pad_check"].items()}
    masked_same = bool(np.allclose(pc["pooled_padded"], pc["pooled_no_pad"], atol=1e-5))
    plain_gap = float(np.abs(pc["pooled_unmasked"] - pc["pooled_no_pad"]).max())
    examples = ds["examples"]
    k = len(examples)
    from_test = all(int(e["index"]) >= 0 for e in examples)
    own = all(int(e["index"]) < 0 for e in examples)
    wrong = [i for i, e in enumerate(cls["examples"]) if e["correct"] is False]
    fields = {"T": str(T), "n_total": f"{total:,}",
              "here": ("Here is our example review" if k == 1 else f"Here are our {count_words(k, 'example review')}"),
              "n_reviews": count_words(k, "review")}
    off = pick({
        "rows": n < T, "rows_full": n == T and total <= T, "rows_cut": n == T and total > T,
        "pad_check": n < T and masked_same and plain_gap > 1e-3, "pad_check_none": n == T and masked_same,
        "examples": from_test, "examples_own": own and k == 1, "examples_mixed": not from_test and not (own and k == 1),
        "wrong": bool(wrong),
    })
    facts = {"n": n, "T": T, "n_total": total, "masked_same": masked_same, "plain_gap": plain_gap,
             "from_test": from_test, "own": own, "wrong": wrong,
             "source": "IMDB test set" if from_test else "yours" if own else "test set and yours"}
    return Said(fields, off, facts)


# --- Ch13 ----------------------------------------------------------------------------------------

def window(n_steps: int) -> int:
    """Ch13's smoothing window: a fortieth of the run, at least one step."""
    return max(1, n_steps // 40)


def smoothed(x, w: int) -> np.ndarray:
    """The trailing mean of the last ``w`` values, from step ``w`` on."""
    return np.convolve(np.asarray(x, dtype=float), np.ones(w) / w, mode="valid")


def took(secs: float) -> str:
    """A training time as said: "148 seconds", "2 minutes 28 seconds"."""
    s = round(secs)
    if s < 120:
        return count_words(s, "second")
    return f"{count_words(s // 60, 'minute')} {count_words(s % 60, 'second')}" if s % 60 else \
        count_words(s // 60, "minute")


@rule("Ch13Training")
def training(load: Load) -> Said:
    tr = load("training")
    w = window(len(tr["steps"]))
    loss, acc = smoothed(tr["step_loss"], w), smoothed(tr["step_acc"], w)
    ln2 = math.log(2)
    l0, l1, a0, a1 = float(loss[0]), float(loss[-1]), float(acc[0]), float(acc[-1])
    test_acc, n_test, secs = float(tr["test_accuracy"]), int(tr["n_test"]), float(tr["train_seconds"])
    scored = n_test > 0 and not math.isnan(test_acc)
    timed = not math.isnan(secs)
    fields = {"n_test": f"{n_test:,}", "n_params": f"{int(tr['n_params']):,}", "took": took(secs) if timed else "",
              "acc_end": f"{a1 * 100:.0f} percent"}
    off = pick({
        "loss": l0 >= ln2 > l1, "loss_end_below": l0 < ln2 and l1 < ln2, "loss_above": l1 >= ln2,
        "acc": a1 > a0 + 0.02, "acc_flat": abs(a1 - a0) <= 0.02, "acc_falls": a1 < a0 - 0.02,
        "test": scored, "test_none": not scored, "cost": timed, "cost_untimed": not timed,
    })
    facts = {"window": w, "loss_start": l0, "loss_end": l1, "acc_start": a0, "acc_end": a1, "scored": scored}
    return Said(fields, off, facts)


# --- Ch14 ----------------------------------------------------------------------------------------

@rule("Ch14Recap")
def recap(load: Load) -> Said:
    m, tok, cls = load("model"), load("tokens"), load("classify")
    cfg = m["config"]
    T, d, h, N = int(cfg["max_len"]), int(cfg["d_model"]), int(cfg["n_heads"]), int(cfg["n_layers"])
    n = len(cls["examples"][0]["tokens"])  # the tokens the model reads: at most T
    shapes = {"ids": T, "embed": T * d, "attention": h * T * T, "block": T * d, "pooled": d,
              "logits": int(cfg["n_classes"])}
    attn_largest = shapes["attention"] > max(v for k, v in shapes.items() if k != "attention")
    pad_id = next(int(i) for i, word, _ in tok["vocab_head"] if word == "<pad>")
    fields = {"blocks": "the block" if N == 1 else f"the {N} blocks", "n_params": f"{int(m['n_params']):,}"}
    off = pick({"think": n > 1, "think_one": n == 1,
                "attention": attn_largest, "attention_small": not attn_largest})
    facts = {"n": n, "n_total": int(m["example_n_tokens"]), "pad_id": pad_id, "sizes": shapes}
    return Said(fields, off, facts)
