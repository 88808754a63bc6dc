"""The model assets, recomputed from the checkpoint with independent numpy math (which reviews and which
choices the export makes: test_export_examples.py; the rules on hand-made inputs: test_choices.py)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from model import store
from model.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint, save_checkpoint
from model.config import Config
from model.choices import COMMON_IDS, head_choices, motivation_choices, permutation_choices
from model.export_model import MOTIVATION_SENTENCES, model_assets
from model.review import build_review
from model.tokenize import bpe_encoding, word_tokenize
from model.train import train_model

ROOT = Path(__file__).resolve().parent.parent
GOOD = ["a wonderful film, i loved it", "great acting and a great story", "best movie of the year!"]
BAD = ["a terrible film, i hated it", "awful acting and a boring story", "worst movie of the year!"]
EXAMPLES = [
    {"index": 3, "text": "great acting and a great story, the best movie!", "label": 1},
    {"index": 1, "text": "a terrible film<br />i hated it", "label": 0},
    {"index": 7, "text": "a wonderful and awful movie of the year", "label": 0},
]


# --- independent numpy reference ------------------------------------------------------------

def _ln(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _softmax(s, keep=None):
    if keep is not None:
        s = np.where(keep, s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_forward(sd: dict, cfg: Config, ids: list[int], T: int | None = None) -> dict:
    """The classifier in float64 numpy, written from the paper's equations, on one review."""
    n = len(ids)
    T = T or n
    ids = np.array(list(ids) + [0] * (T - n))
    keep = np.arange(T) < n  # real keys
    x = sd["tok.weight"][ids] + sd["pos.pos.weight"][:T]
    out = {"x_in": x, "blocks": []}
    h, dh = cfg.n_heads, cfg.d_model // cfg.n_heads
    for layer in range(cfg.n_layers):
        p = lambda name: sd[f"blocks.{layer}.{name}"]  # noqa: E731
        b = {"x_in": x}
        inp = _ln(x, p("norm1.weight"), p("norm1.bias")) if cfg.norm_first else x
        for name in "QKV":
            b[name] = inp @ p(f"attn.{name.lower()}.weight").T + p(f"attn.{name.lower()}.bias")
        q, k, v = (b[c].reshape(T, h, dh).transpose(1, 0, 2) for c in "QKV")
        b["scores"] = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
        b["weights"] = _softmax(b["scores"], keep[None, None, :])
        b["head_out"] = b["weights"] @ v
        b["concat"] = b["head_out"].transpose(1, 0, 2).reshape(T, h * dh)
        b["attn_out"] = b["concat"] @ p("attn.proj.weight").T + p("attn.proj.bias")
        b["resid1"] = x + b["attn_out"]
        if cfg.norm_first:
            b["norm1"] = inp
            ff_in = _ln(b["resid1"], p("norm2.weight"), p("norm2.bias"))
        else:
            b["norm1"] = ff_in = _ln(b["resid1"], p("norm1.weight"), p("norm1.bias"))
        b["ff_hidden"] = np.maximum(0.0, ff_in @ p("ff1.weight").T + p("ff1.bias"))
        b["ff_out"] = b["ff_hidden"] @ p("ff2.weight").T + p("ff2.bias")
        if cfg.norm_first:
            b["resid2"] = b["resid1"] + b["ff_out"]
            b["block_out"] = b["resid2"]
        else:
            b["resid2"] = b["norm1"] + b["ff_out"]
            b["block_out"] = _ln(b["resid2"], p("norm2.weight"), p("norm2.bias"))
        x = b["block_out"]
        out["blocks"].append(b)
    if cfg.norm_first:
        x = _ln(x, sd["norm.weight"], sd["norm.bias"])
    out["x_out"] = x
    out["pooled"] = x[:n].mean(0)
    out["logits"] = out["pooled"] @ sd["head.weight"].T + sd["head.bias"]
    out["probs"] = _softmax(out["logits"])
    return out


def np_raw_attention(X):
    W = _softmax(X @ X.T / math.sqrt(X.shape[1]))
    return W, W @ X


def _close(a, b, atol=2e-5):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-4, atol=atol)


# --- fixtures ----------------------------------------------------------------------------------

_TINY: dict = {}


def _tiny(norm_first: bool, tmp_path_factory) -> tuple:
    """A tiny model trained on the spot, its state dict in float64, its assets, and their examples."""
    if norm_first not in _TINY:
        cfg = Config().with_overrides(["d_model=16", "n_heads=2", "d_ff=32", "max_len=32", "min_count=1",
                                       "batch_size=16", "warmup_steps=2", "lr=0.02", "dropout=0.1", "epochs=3",
                                       f"norm_first={norm_first}", f"n_layers={2 if norm_first else 1}"])
        model, vocab, extra = train_model(cfg, (GOOD + BAD) * 10, [1, 1, 1, 0, 0, 0] * 10, quiet=True)
        path = tmp_path_factory.mktemp("ck") / "tiny.pt"
        save_checkpoint(path, model, vocab, cfg, extra)
        model, vocab, cfg, extra = load_checkpoint(path)
        raw = torch.load(path, weights_only=True)
        sd = {k: v.double().numpy() for k, v in raw["state_dict"].items()}
        reviews = [build_review(e["text"], vocab, bpe_encoding(), e["index"], e["label"]) for e in EXAMPLES]
        _TINY[norm_first] = (model, vocab, cfg, extra, sd, model_assets(model, vocab, cfg, reviews, extra), EXAMPLES)
    return _TINY[norm_first]


def _shipped() -> tuple:
    """The shipped checkpoint and the committed assets/, with the examples the assets were made from."""
    model, vocab, cfg, extra = load_checkpoint(DEFAULT_CHECKPOINT)
    sd = {k: v.double().numpy() for k, v in torch.load(DEFAULT_CHECKPOINT, weights_only=True)["state_dict"].items()}
    folder = ROOT / "assets"
    assets = {name: store.load(name, folder) for name in ("embedding", "attention", "block", "classify",
                                                         "training", "model")}
    return model, vocab, cfg, extra, sd, assets, store.load("dataset", folder)["examples"]


@pytest.fixture(scope="module", params=[False, True], ids=["post-norm", "pre-norm"])
def tiny(request, tmp_path_factory, bpe_ready):
    return _tiny(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=["post-norm", "pre-norm", "shipped"])
def exported(request, tmp_path_factory, bpe_ready):
    """Assets to recompute: from two tiny models, and the committed ones from the shipped checkpoint."""
    if request.param == "shipped":
        return _shipped()
    return _tiny(request.param == "pre-norm", tmp_path_factory)


def test_assets_are_plain_float32_and_complete(exported):
    *_, assets, _ = exported
    assert set(assets) == {"embedding", "attention", "block", "classify", "training", "model"}
    for name, d in assets.items():
        store.dumps(d)  # builtins and numpy only, or this raises

        def walk(o, where):
            if isinstance(o, np.ndarray) and o.dtype.kind == "f":
                assert o.dtype == np.float32, where
            elif isinstance(o, dict):
                for k, v in o.items():
                    walk(v, f"{where}.{k}")
            elif isinstance(o, (list, tuple)):
                for i, v in enumerate(o):
                    walk(v, f"{where}[{i}]")
            else:
                assert not isinstance(o, torch.Tensor), where
        walk(d, name)
    block = assets["block"]
    for key in ("tokens", "d_model", "n_heads", "d_head", "n_layers", "d_ff", "norm_first", "x_in", "Wq", "Wk",
                "Wv", "Wo", "bq", "bk", "bv", "bo", "Q", "K", "V", "scores", "weights", "head_out", "concat",
                "attn_out", "resid1", "norm1", "ff_hidden", "ff_out", "resid2", "block_out", "links",
                "links_shown", "head_shown", "head_links", "heads_compared"):
        assert key in block, key
    assert {"matched_rows", "followed_row", "changed_row"} <= set(assets["attention"]) and "motivation" in assets[
        "classify"] and "pos_code" not in assets["attention"]  # Ch08 shows model/transformer.py itself


def test_block_matches_numpy(exported):
    model, vocab, cfg, extra, sd, assets, examples = exported
    blk = assets["block"]
    tokens = word_tokenize(examples[0]["text"])[: cfg.max_len]
    assert blk["tokens"] == tokens
    ref = np_forward(sd, cfg, vocab.encode(tokens))["blocks"][0]
    n, d, h = len(tokens), cfg.d_model, cfg.n_heads
    assert blk["scores"].shape == (h, n, n) and blk["head_out"].shape == (h, n, d // h)
    assert blk["ff_hidden"].shape == (n, cfg.d_ff)
    for key in ("x_in", "Q", "K", "V", "scores", "weights", "head_out", "concat", "attn_out", "resid1", "norm1",
                "ff_hidden", "ff_out", "resid2", "block_out"):
        _close(blk[key], ref[key])
    attn_in = blk["norm1"] if cfg.norm_first else blk["x_in"]  # pre-norm attends over norm1(x)
    _close(attn_in @ blk["Wq"] + blk["bq"], ref["Q"])  # the weights are laid out for x @ W
    _close(blk["concat"] @ blk["Wo"] + blk["bo"], ref["attn_out"])
    w = ref["weights"].copy()
    for a in range(h):
        np.fill_diagonal(w[a], -1)
    flat = sorted(((w[a, i, j], a, i, j) for a in range(h) for i in range(n) for j in range(n)), reverse=True)
    top = [(a, i, j) for _, a, i, j in flat[: len(blk["links"])]]
    assert [(a, i, j) for a, i, j, _ in blk["links"]] == top
    assert all(i != j for _, i, j, _ in blk["links"]) and len(blk["links"]) == 6
    ws = [x[3] for x in blk["links"]]
    assert ws == sorted(ws, reverse=True)


def test_classify_matches_numpy(exported):
    model, vocab, cfg, extra, sd, assets, examples = exported
    cl = assets["classify"]
    _close(cl["W_head"], sd["head.weight"])
    _close(cl["b_head"], sd["head.bias"])
    assert len(cl["examples"]) == len(examples)
    for ex, got in zip(examples, cl["examples"]):
        ids = vocab.encode(word_tokenize(ex["text"]))
        ref = np_forward(sd, cfg, ids)
        _close(got["pooled"], ref["pooled"])
        _close(got["logits"], ref["logits"])
        _close(got["probs"], ref["probs"])
        assert got["pred"] == int(np.argmax(ref["logits"])) and got["correct"] == (got["pred"] == ex["label"])
        assert got["n_tokens"] == len(ids) and got["label"] == ex["label"]
    ids0 = vocab.encode(word_tokenize(examples[0]["text"]))
    padded = np_forward(sd, cfg, ids0, T=cfg.max_len)
    pc = cl["pad_check"]
    _close(pc["pooled_no_pad"], padded["pooled"])
    _close(pc["pooled_padded"], padded["pooled"])
    _close(pc["pooled_unmasked"], padded["x_out"].mean(0))
    assert np.abs(pc["pooled_unmasked"] - pc["pooled_no_pad"]).max() > 1e-3
    assert [s["text"] for s in cl["sentences"]] == list(MOTIVATION_SENTENCES)
    for s in cl["sentences"]:
        ref = np_forward(sd, cfg, vocab.encode(s["tokens"]))
        _close(s["probs"], ref["probs"])
        _close(s["weights"], ref["blocks"][0]["weights"])
        assert s["weights"].shape == (cfg.n_heads, len(s["tokens"]), len(s["tokens"]))


def test_embedding_and_raw_attention_match_numpy(exported):
    model, vocab, cfg, extra, sd, assets, examples = exported
    tokens = word_tokenize(examples[0]["text"])[:5]
    ids = vocab.encode(tokens)
    emb = assets["embedding"]
    assert emb["tokens"] == tokens and emb["ids"] == ids and emb["trained"] is True
    assert emb["vocab_size"] == len(vocab) and emb["d_model"] == cfg.d_model
    E = sd["tok.weight"]
    _close(emb["E_rows"], E[ids])
    En = E / np.linalg.norm(E, axis=1, keepdims=True).clip(1e-12)
    for word, near in emb["neighbours"]:
        cos = En @ En[vocab.stoi[word]]
        cos[[0, 1, vocab.stoi[word]]] = -2
        assert [w for w, _ in near] == [vocab.itos[j] for j in np.argsort(-cos, kind="stable")[:5]]
        _close([c for _, c in near], np.sort(cos)[::-1][:5])

    at = assets["attention"]
    X, P = E[ids], sd["pos.pos.weight"][:5]
    perm = at["perm"]
    assert sorted(perm) == list(range(5)) and at["tokens_perm"] == [tokens[i] for i in perm]
    assert at["tokens_perm"] != tokens
    _close(at["X"], X)
    _close(at["XXt"], X @ X.T, atol=1e-4)
    _close(at["scaled"], X @ X.T / math.sqrt(cfg.d_model), atol=1e-4)
    W, Y = np_raw_attention(X)
    _close(at["W"], W)
    _close(at["Y"], Y)
    _close(at["Y_perm"], Y[perm])  # without positions: reordering the input only reorders the output
    _close(at["P"], P)
    _close(at["XP"], X + P)
    W_pos, Y_pos = np_raw_attention(X + P)
    _close(at["W_pos"], W_pos)
    _close(at["Y_pos"], Y_pos)
    _close(at["XP_perm"], X[perm] + P)
    W_pp, Y_pp = np_raw_attention(X[perm] + P)
    _close(at["W_pos_perm"], W_pp)
    _close(at["Y_pos_perm"], Y_pp)
    same = np.abs(at["Y_perm"] - at["Y"][perm]).max()
    moved = np.abs(at["Y_pos_perm"] - at["Y_pos"][perm]).max()
    assert same < 1e-6 and moved > 1e-5 and moved > 100 * same, (same, moved)  # with positions it is not
    row = at["softmax_row"]
    _close(row["scores"], at["scaled"][row["row"]])
    _close(row["exps"] / row["sum"], row["weights"])
    _close(row["weights"], W[row["row"]])


def test_training_and_model_assets(tiny):
    model, vocab, cfg, extra, sd, assets, _ = tiny
    tr = assets["training"]
    n_steps = cfg.epochs * math.ceil(60 / cfg.batch_size)
    assert tr["steps"].tolist() == list(range(1, n_steps + 1))
    _close(tr["step_loss"], extra["history"]["step_loss"])
    _close(tr["epoch_train_acc"], extra["history"]["epoch_train_acc"])
    assert tr["epoch"].tolist() == list(range(1, cfg.epochs + 1))
    assert math.isnan(tr["test_accuracy"]) and tr["n_test"] == 0  # never evaluated
    assert tr["n_params"] == sum(v.size for v in sd.values()) == assets["model"]["n_params"]
    assert tr["n_train"] == 60 and tr["batch_size"] == cfg.batch_size and tr["epochs"] == cfg.epochs
    m = assets["model"]
    assert m["config"] == cfg.to_dict()
    assert m["param_shapes"] == {k: list(v.shape) for k, v in sd.items()}
    assert m["example_n_tokens"] == len(word_tokenize(EXAMPLES[0]["text"])) == 11


def test_stored_choices_follow_the_rules(tiny):
    """Each tiny model's assets hold what model/choices.py picks in their own stored arrays."""
    vocab, (cl, at, bl) = tiny[1], (tiny[5][k] for k in ("classify", "attention", "block"))
    assert cl["motivation"] == motivation_choices(cl["sentences"], set(vocab.itos[:COMMON_IDS]))
    perm = permutation_choices(*(at[k] for k in ("tokens", "tokens_perm", "perm", "Y", "Y_perm", "Y_pos",
                                                 "Y_pos_perm")))
    heads = head_choices(bl["weights"], bl["links"])
    assert {k: at[k] for k in perm} == perm and at["matched_rows"] is not None  # five words: one to follow
    assert {k: bl[k] for k in heads} == heads
