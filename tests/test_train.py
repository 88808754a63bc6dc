"""Training and evaluation: loss goes down, runs are reproducible, the commands write what they say."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from model.checkpoint import load_checkpoint
from model.cli import main
from model.config import Config
from model.train import encode_all, evaluate_model, length_batches, lr_lambda, tokenize_all, train_model

TINY = ["d_model=16", "n_heads=2", "d_ff=32", "max_len=32", "min_count=1", "batch_size=16",
        "warmup_steps=2", "lr=0.005", "dropout=0.0"]


def _tiny_config(**kw) -> Config:
    return Config().with_overrides(TINY + [f"{k}={v}" for k, v in kw.items()])


def _texts():
    good = ["a wonderful film, i loved it", "great acting and a great story", "best movie of the year!"]
    bad = ["a terrible film, i hated it", "awful acting and a boring story", "worst movie of the year!"]
    return (good + bad) * 10, ([1, 1, 1, 0, 0, 0]) * 10


def test_tiny_training_learns_and_is_reproducible():
    texts, labels = _texts()
    cfg = _tiny_config(epochs=8, lr=0.02)
    m1, vocab, extra = train_model(cfg, texts, labels, quiet=True)
    h = extra["history"]
    assert len(h["step_loss"]) == 8 * 4 and h["epoch"] == list(range(1, 9))
    assert h["epoch_train_loss"][-1] < 0.5 * h["epoch_train_loss"][0], h["epoch_train_loss"]
    assert h["epoch_train_acc"][-1] == 1.0
    assert extra["n_params"] == sum(p.numel() for p in m1.parameters())
    assert extra["n_train"] == 60 and extra["train_seconds"] > 0
    m2, _, extra2 = train_model(cfg, texts, labels, quiet=True)
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert torch.equal(a, b), k  # same seed + data + machine = same weights
    assert extra2["history"]["step_loss"] == h["step_loss"]
    ids, lengths = encode_all(tokenize_all(texts), vocab, cfg.max_len)
    assert evaluate_model(m1, ids, lengths, labels)["accuracy"] == 1.0


def test_lr_schedule_and_batches():
    assert lr_lambda(0, 10, 100) == pytest.approx(0.1)
    assert lr_lambda(9, 10, 100) == pytest.approx(1.0)
    assert lr_lambda(10, 10, 100) == pytest.approx(1.0)
    assert lr_lambda(100, 10, 100) == pytest.approx(0.0, abs=1e-12)
    lengths = np.array([5, 1, 9, 3, 7, 2, 8])
    got = length_batches(lengths, 3, np.random.default_rng(0))
    assert sorted(np.concatenate(got).tolist()) == list(range(7))  # every review once
    ordered = length_batches(lengths, 3, None)
    assert [lengths[b].tolist() for b in ordered] == [[1, 2, 3], [5, 7, 8], [9]]


def test_train_and_evaluate_commands(tiny_imdb, tmp_path, capsys):
    out = tmp_path / "ck.pt"
    assert main(["train", "--data-dir", str(tiny_imdb), "--out", str(out), "--quiet",
                 *sum((["--set", s] for s in TINY + ["epochs=3"]), [])]) == 0
    _, _, cfg, extra = load_checkpoint(out)
    assert cfg.d_model == 16 and cfg.epochs == 3
    assert extra["metrics"] == {} and len(extra["history"]["epoch_train_loss"]) == 3
    trained_history = extra["history"]
    assert main(["evaluate", "--data-dir", str(tiny_imdb), "--checkpoint", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "test accuracy" in printed and "stored in" in printed
    _, _, _, extra = load_checkpoint(out)
    assert extra["metrics"]["n_test"] == 120
    assert 0.0 <= extra["metrics"]["test_accuracy"] <= 1.0
    assert extra["history"] == trained_history  # evaluate adds metrics and leaves the history alone
    # a --limit run is printed, not stored
    assert main(["evaluate", "--data-dir", str(tiny_imdb), "--checkpoint", str(out), "--limit", "10",
                 "--quiet"]) == 0
    assert "not stored" in capsys.readouterr().out
    assert load_checkpoint(out)[3]["metrics"]["n_test"] == 120


def test_command_errors_are_one_line(tiny_imdb, tmp_path, capsys):
    assert main(["train", "--data-dir", str(tiny_imdb), "--out", str(tmp_path / "x.pt"),
                 "--set", "no_such_field=3"]) == 2
    assert main(["train", "--data-dir", str(tmp_path / "missing"), "--out", str(tmp_path / "x.pt")]) == 2
    assert main(["evaluate", "--data-dir", str(tiny_imdb), "--checkpoint", str(tmp_path / "none.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 3 and "Traceback" not in err
    assert not (tmp_path / "x.pt").exists()


def test_real_reviews_tiny_run_reduces_loss(imdb_dir):
    from model.data import load_imdb

    ds = load_imdb(imdb_dir, splits=("train",))["train"]
    cfg = _tiny_config(train_limit=320, epochs=4, min_count=2, lr=0.01)
    model, vocab, extra = train_model(cfg, ds["text"], ds["label"], quiet=True)
    h = extra["history"]
    assert extra["n_train"] == 320
    assert h["epoch_train_loss"][-1] < h["epoch_train_loss"][0] - 0.05, h["epoch_train_loss"]
    labels = np.asarray(ds["label"])
    assert len(vocab) > 100
    # the seeded subset holds both classes (the split is sorted by label)
    keep = np.sort(np.random.default_rng(cfg.seed).permutation(len(labels))[:320])
    assert 0.3 < labels[keep].mean() < 0.7
