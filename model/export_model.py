"""The model half of the assets: everything computed from the trained checkpoint.

``model/export.py`` calls :func:`choose_examples`, builds a :class:`~model.review.Review` of
each, and then calls :func:`model_assets`. All numbers come from the model's own forward pass
(``return_trace=True``) or from :func:`model.attention.raw_self_attention`; nothing here
re-implements the math. The choices the scenes draw are made by :mod:`model.choices` on the
very float32 arrays stored. The returned dicts hold only builtins and float32/int numpy arrays
(see ``assets/README.md`` for the schema).
"""
from __future__ import annotations

import numpy as np
import torch

from .choices import COMMON_IDS, choose_perm, head_choices, motivation_choices, permutation_choices, strongest_links
from .data import clean_text
from .review import Review
from .tokenize import PAD_ID, UNK_ID, pad_batch, word_tokenize

MIN_TOKENS, MAX_TOKENS = 12, 40  # example reviews: 12 to 40 word tokens
CONFIDENT = 0.9  # "confidently correct": probability of the true class >= 0.9
NEIGHBOUR_WORDS = ("great", "terrible", "boring", "excellent", "worst", "wonderful")
MOTIVATION_SENTENCES = (
    "the dog chased the man",
    "the man chased the dog",
    "i went to the bank to deposit money",
    "we sat on the river bank",
)


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float32)


@torch.no_grad()
def _run(model, ids: list[int], pad_to: int | None = None):
    """Run the model on one review, unpadded (or padded to ``pad_to``); returns (logits, trace) of row 0."""
    ids = list(ids)[: model.config.max_len]
    length = pad_to or len(ids)
    x, mask = pad_batch([ids], length)
    logits, trace = model(torch.from_numpy(x), torch.from_numpy(mask), return_trace=True)
    return logits[0], trace


# --- the three example reviews -------------------------------------------------------------

@torch.no_grad()
def choose_examples(model, vocab, config, test_ds) -> list[dict]:
    """The documented rule: among test reviews of 12..40 word tokens, [0] the shortest
    positive classified correctly with p >= 0.9, [1] the same for negative, [2] the
    shortest review the model gets wrong. Ties: lowest test index.

    Each review is run on its own, unpadded, exactly as ``predict`` would run it.
    """
    model.eval()
    texts, labels = test_ds["text"], test_ds["label"]
    cands = []  # (n_tokens, index, tokens)
    for i, text in enumerate(texts):
        tokens = word_tokenize(text)
        if MIN_TOKENS <= len(tokens) <= MAX_TOKENS:
            cands.append((len(tokens), i, tokens))
    cands.sort(key=lambda c: (c[0], c[1]))  # shortest first, then lowest index
    picks: dict[str, dict] = {}
    for n, i, tokens in cands:
        if len(picks) == 3:
            break
        logits, _ = _run(model, vocab.encode(tokens))
        probs = torch.softmax(logits, -1)
        pred = int(logits.argmax())
        label = int(labels[i])
        p_pos = float(probs[1])
        entry = {"index": int(i), "text": clean_text(texts[i]), "label": label, "n_tokens": int(n),
                 "prob_positive": p_pos, "pred": pred}
        if pred != label:
            picks.setdefault("wrong", entry)
        elif float(probs[label]) >= CONFIDENT:
            picks.setdefault("positive" if label == 1 else "negative", entry)
    return [picks[k] for k in ("positive", "negative", "wrong") if k in picks]


# --- chapter assets --------------------------------------------------------------------------

def embedding_asset(model, vocab, review: Review) -> dict:
    E = model.tok.weight.detach()
    tok5, ids = review.read(5)
    En = torch.nn.functional.normalize(E, dim=1)
    neighbours = []
    for w in NEIGHBOUR_WORDS:
        wid = vocab.stoi.get(w)
        if wid is None:
            continue
        cos = En @ En[wid]  # (V,) cosine similarity with every word
        cos[[PAD_ID, UNK_ID, wid]] = -2.0  # never list <pad>, <unk> or the word itself
        top = torch.topk(cos, 5)
        neighbours.append((w, [(vocab.itos[int(j)], float(c)) for c, j in zip(top.values, top.indices)]))
    return {
        "tokens": list(tok5),
        "ids": [int(i) for i in ids],
        "E_rows": _np(E[ids]),
        "vocab_size": int(E.shape[0]),
        "d_model": int(E.shape[1]),
        "trained": True,
        "neighbours": neighbours,
    }


def attention_asset(model, review: Review) -> dict:
    from .attention import raw_self_attention

    tok5, ids = review.read(5)
    n = len(tok5)
    with torch.no_grad():
        X = model.tok.weight[ids].detach()  # (5, d)
        d = X.shape[1]
        XXt = X @ X.T  # (5, 5)
        scaled = XXt / float(np.sqrt(d))
        W, Y = raw_self_attention(X)
        perm = choose_perm(tok5)
        _, Y_perm = raw_self_attention(X[perm])
        P = model.pos(n)  # (5, d) learned position rows 0..4
        W_pos, Y_pos = raw_self_attention(X + P)
        W_pos_perm, Y_pos_perm = raw_self_attention(X[perm] + P)
    scaled_np = _np(scaled)
    W_np = _np(W)
    off = W_np - np.diag(np.diag(W_np))
    row = int(np.argmax(off.max(axis=1)))  # the row with the strongest off-diagonal weight
    exps = np.exp(scaled_np[row].astype(np.float64))
    out = {
        "tokens": list(tok5),
        "X": _np(X),
        "XXt": _np(XXt),
        "scaled": scaled_np,
        "W": W_np,
        "Y": _np(Y),
        "softmax_row": {"row": row, "scores": scaled_np[row].copy(), "exps": exps.astype(np.float32),
                        "sum": float(exps.sum()), "weights": W_np[row].copy()},
        "perm": [int(i) for i in perm],
        "tokens_perm": [tok5[i] for i in perm],
        "Y_perm": _np(Y_perm),
        "P": _np(P),
        "XP": _np(X + P),
        "W_pos": _np(W_pos),
        "Y_pos": _np(Y_pos),
        "XP_perm": _np(X[perm] + P),
        "W_pos_perm": _np(W_pos_perm),
        "Y_pos_perm": _np(Y_pos_perm),
    }
    # the rows Ch07 links and follows, the word Ch08 follows: chosen on the float32 arrays stored
    return {**out, **permutation_choices(out["tokens"], out["tokens_perm"], out["perm"], out["Y"], out["Y_perm"],
                                         out["Y_pos"], out["Y_pos_perm"])}


def block_asset(model, config, review: Review) -> dict:
    tokens, ids = review.read(config.max_len)
    _, trace = _run(model, ids)
    bt = trace["blocks"][0]
    blk = model.blocks[0]
    att = blk.attn

    def lin(layer):
        return _np(layer.weight.T), _np(layer.bias)  # as used in x @ W + b

    (Wq, bq), (Wk, bk), (Wv, bv), (Wo, bo) = lin(att.q), lin(att.k), lin(att.v), lin(att.proj)
    weights = _np(bt["weights"][0])
    links = strongest_links(weights)
    return {
        "tokens": list(tokens),
        "d_model": config.d_model, "n_heads": config.n_heads, "d_head": config.d_head,
        "n_layers": config.n_layers, "d_ff": config.d_ff, "norm_first": bool(config.norm_first),
        "x_in": _np(bt["x_in"][0]),
        "Wq": Wq, "Wk": Wk, "Wv": Wv, "Wo": Wo, "bq": bq, "bk": bk, "bv": bv, "bo": bo,
        "Q": _np(bt["Q"][0]), "K": _np(bt["K"][0]), "V": _np(bt["V"][0]),
        "scores": _np(bt["scores"][0]),
        "weights": weights,
        "head_out": _np(bt["head_out"][0]),
        "concat": _np(bt["concat"][0]),
        "attn_out": _np(bt["attn_out"][0]),
        "resid1": _np(bt["resid1"][0]),
        "norm1": _np(bt["norm1"][0]),
        "ff_hidden": _np(bt["ff_hidden"][0]),
        "ff_out": _np(bt["ff_out"][0]),
        "resid2": _np(bt["resid2"][0]),
        "block_out": _np(bt["block_out"][0]),
        "links": links,
        **head_choices(weights, links),  # what Ch09 and Ch10 point at
    }


def classify_asset(model, vocab, config, reviews: list[Review]) -> dict:
    out = []
    for r in reviews:
        tokens, ids = r.read(config.max_len)
        logits, trace = _run(model, ids)
        probs = torch.softmax(logits, -1)
        pred = int(logits.argmax())
        out.append({"tokens": tokens, "label": r.label, "n_tokens": len(tokens),
                    "pooled": _np(trace["pooled"][0]), "logits": _np(logits), "probs": _np(probs),
                    "pred": pred, "correct": pred == r.label if r.label >= 0 else None})
    _, ids0 = reviews[0].read(config.max_len)
    _, tr_short = _run(model, ids0)
    _, tr_pad = _run(model, ids0, pad_to=config.max_len)
    sentences = []
    for text in MOTIVATION_SENTENCES:
        tokens = word_tokenize(text)
        logits, trace = _run(model, vocab.encode(tokens))
        sentences.append({"text": text, "tokens": tokens, "probs": _np(torch.softmax(logits, -1)),
                          "weights": _np(trace["weights"][0][0])})
    return {
        "examples": out,
        "W_head": _np(model.head.weight),
        "b_head": _np(model.head.bias),
        "pad_check": {
            "pooled_no_pad": _np(tr_short["pooled"][0]),
            "pooled_padded": _np(tr_pad["pooled"][0]),
            "pooled_unmasked": _np(tr_pad["x_out"][0].mean(dim=0)),  # plain mean: padding rows included
        },
        "sentences": sentences,
        # which sentence shows what in Ch01, chosen on the float32 weights stored
        "motivation": motivation_choices(sentences, set(vocab.itos[:COMMON_IDS])),
    }


def training_asset(config, extra: dict) -> dict:
    h = extra.get("history") or {}
    metrics = extra.get("metrics") or {}
    step_loss = np.asarray(h.get("step_loss", []), dtype=np.float32)
    return {
        "steps": np.arange(1, len(step_loss) + 1, dtype=np.int64),
        "step_loss": step_loss,
        "step_acc": np.asarray(h.get("step_acc", []), dtype=np.float32),
        "epoch": np.asarray(h.get("epoch", []), dtype=np.int64),
        "epoch_train_loss": np.asarray(h.get("epoch_train_loss", []), dtype=np.float32),
        "epoch_train_acc": np.asarray(h.get("epoch_train_acc", []), dtype=np.float32),
        # nan / 0 when the checkpoint was never evaluated (run `python -m model evaluate`)
        "test_accuracy": float(metrics.get("test_accuracy", float("nan"))),
        "n_test": int(metrics.get("n_test", 0)),
        "train_seconds": float(extra.get("train_seconds", float("nan"))),
        "n_params": int(extra.get("n_params", 0)),
        "epochs": int(config.epochs),
        "batch_size": int(config.batch_size),
        "n_train": int(extra.get("n_train", 0)),
    }


def model_asset(model, config, review: Review) -> dict:
    return {
        "config": config.to_dict(),
        "n_params": int(sum(p.numel() for p in model.parameters())),
        "param_shapes": {name: [int(s) for s in p.shape] for name, p in model.named_parameters()},
        "example_n_tokens": review.n_tokens,
    }


def model_assets(model, vocab, config, reviews: list[Review], extra: dict) -> dict[str, dict]:
    """The assets embedding, attention, block, classify, training and model (assets/README.md).

    ``reviews``: the example reviews, each built once (:func:`~model.review.build_review`);
    ``reviews[0]`` is *the example* of the attention chapters.
    """
    model.eval()
    first = reviews[0]
    return {
        "embedding": embedding_asset(model, vocab, first),
        "attention": attention_asset(model, first),
        "block": block_asset(model, config, first),
        "classify": classify_asset(model, vocab, config, reviews),
        "training": training_asset(config, extra),
        "model": model_asset(model, config, first),
    }


__all__ = ["choose_examples", "model_assets", "MOTIVATION_SENTENCES"]
