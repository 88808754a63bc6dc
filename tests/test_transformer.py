"""The classifier: positions, padding, pre/post norm, and the checkpoint round trip."""
from __future__ import annotations

import inspect

import pytest
import torch

from model.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint, save_checkpoint
from model.config import Config
from model.errors import UserError
from model.tokenize import Vocab
from model.transformer import Classifier, PositionalEmbedding

TINY = dict(d_model=16, n_heads=2, d_ff=32, max_len=32, vocab_size=50, dropout=0.0)


def _model(**kw) -> Classifier:
    torch.manual_seed(0)
    return Classifier(Config(**{**TINY, **kw}), 50).eval()


def _ids(*rows, T=None):
    T = T or max(len(r) for r in rows)
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    return ids


def test_shapes_and_trace():
    m = _model(n_layers=2)
    logits, tr = m(_ids([5, 6, 7, 8], [9, 10]), return_trace=True)
    assert logits.shape == (2, 2)
    assert len(tr["blocks"]) == 2 and tr["weights"][0].shape == (2, 2, 4, 4)
    for key in ("Q", "K", "V", "scores", "weights", "head_out", "concat", "attn_out", "resid1", "norm1",
                "ff_hidden", "ff_out", "resid2", "block_out", "x_in"):
        assert key in tr["blocks"][0]
    assert tr["blocks"][0]["ff_hidden"].shape == (2, 4, 32)
    torch.testing.assert_close(tr["logits"], logits)
    torch.testing.assert_close(m(_ids([5, 6, 7, 8], [9, 10])), logits)  # trace changes nothing


@pytest.mark.parametrize("norm_first", [False, True])
def test_padding_changes_neither_pooled_vector_nor_logits(norm_first):
    m = _model(norm_first=norm_first, n_layers=2)
    short = _ids([3, 4, 5, 6, 7])
    padded = _ids([3, 4, 5, 6, 7], T=32)
    l1, t1 = m(short, return_trace=True)
    l2, t2 = m(padded, return_trace=True)
    torch.testing.assert_close(t1["pooled"], t2["pooled"], rtol=0, atol=1e-6)
    torch.testing.assert_close(l1, l2, rtol=0, atol=1e-6)
    assert torch.equal(t2["weights"][0][0, :, :, 5:], torch.zeros(2, 32, 27))
    # a plain mean over all 32 rows (padding included) would be something else
    assert not torch.allclose(t2["x_out"][0].mean(0), t2["pooled"][0], atol=1e-3)


def test_without_positions_permuting_tokens_permutes_outputs_exactly():
    m = _model()
    with torch.no_grad():
        m.pos.pos.weight.zero_()  # switch positions off
    ids = _ids([3, 4, 5, 6, 7, 8])
    perm = torch.tensor([5, 3, 1, 0, 2, 4])
    _, a = m(ids, return_trace=True)
    _, b = m(ids[:, perm], return_trace=True)
    torch.testing.assert_close(b["blocks"][0]["block_out"], a["blocks"][0]["block_out"][:, perm], rtol=0, atol=1e-6)
    torch.testing.assert_close(b["pooled"], a["pooled"], rtol=0, atol=1e-6)


def test_with_positions_order_matters():
    m = _model()
    ids = _ids([3, 4, 5, 6, 7, 8])
    perm = torch.tensor([5, 3, 1, 0, 2, 4])
    _, a = m(ids, return_trace=True)
    _, b = m(ids[:, perm], return_trace=True)
    diff = (b["blocks"][0]["block_out"] - a["blocks"][0]["block_out"][:, perm]).abs().max()
    assert diff > 1e-3
    assert not torch.allclose(a["logits"], b["logits"], atol=1e-5)


def test_post_norm_and_pre_norm_are_different_models():
    post, pre = _model(norm_first=False), _model(norm_first=True)
    ids = _ids([3, 4, 5])
    _, tp = post(ids, return_trace=True)
    b = tp["blocks"][0]
    ln = post.blocks[0].norm2
    torch.testing.assert_close(b["block_out"], ln(b["resid2"]))  # post-norm: the output is normalised
    assert not torch.allclose(post(ids), pre(ids))


def test_too_long_input_is_refused():
    with pytest.raises(ValueError):
        _model()(torch.ones(1, 33, dtype=torch.long))


def test_positional_embedding_is_one_learned_table():
    src = inspect.getsource(PositionalEmbedding)
    assert "self.pos = nn.Embedding(max_len, d_model)" in src
    pe = PositionalEmbedding(10, 4)
    torch.testing.assert_close(pe(3), pe.pos.weight[:3])


def _vocab():
    return Vocab(["<pad>", "<unk>"] + [f"w{i}" for i in range(48)], [0, 0] + list(range(48, 0, -1)))


def test_checkpoint_round_trip_gives_identical_logits(tmp_path):
    m = _model(n_layers=2)
    cfg = m.config
    path = tmp_path / "sub" / "m.pt"
    extra = {"history": {"step_loss": [0.7, 0.5]}, "train_seconds": 1.5, "n_params": m.n_params(),
             "torch_version": torch.__version__}  # a str subclass must not break weights_only loading
    save_checkpoint(path, m, _vocab(), cfg, extra)
    raw = torch.load(path, weights_only=True)
    assert set(raw) >= {"config", "vocab", "state_dict", "extra"}
    m2, vocab2, cfg2, extra2 = load_checkpoint(path)
    ids = _ids([5, 6, 7, 8, 9], [10, 11])
    assert torch.equal(m(ids), m2(ids))
    assert cfg2 == cfg and vocab2.itos == _vocab().itos and vocab2.counts == _vocab().counts
    assert extra2["history"]["step_loss"] == [0.7, 0.5] and extra2["n_params"] == m.n_params()
    assert not m2.training
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["m.pt"]  # no temp file left


def test_missing_and_corrupt_checkpoints_give_user_errors(tmp_path):
    with pytest.raises(UserError, match="no checkpoint"):
        load_checkpoint(tmp_path / "nope.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(UserError, match="damaged"):
        load_checkpoint(bad)
    good = tmp_path / "good.pt"
    save_checkpoint(good, _model(), _vocab(), _model().config, {})
    good.write_bytes(good.read_bytes()[:200])  # truncated
    with pytest.raises(UserError, match="damaged"):
        load_checkpoint(good)
    other = tmp_path / "other.pt"
    torch.save({"hello": torch.zeros(2)}, other)
    with pytest.raises(UserError, match="lacks"):
        load_checkpoint(other)


def test_default_checkpoint_path():
    assert DEFAULT_CHECKPOINT.name == "imdb-transformer.pt"
    assert DEFAULT_CHECKPOINT.parent.name == "checkpoints"
    assert (DEFAULT_CHECKPOINT.parent.parent / "model" / "transformer.py").is_file()
