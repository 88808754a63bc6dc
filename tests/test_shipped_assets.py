"""The committed assets/ are what the code computes from the real IMDB data and the shipped checkpoint.

Two checks: ``python -m model export`` is run again into a temporary folder and every value is
compared with the committed one (floats to within float32 rounding: the last bit may differ
between CPUs); and the dataset facts on screen are counted again here straight from the parquet
files with pyarrow and collections.Counter, not through the exporter.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from model import store
from model.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
from model.tokenize import word_tokenize

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "assets"
NAMES = ("dataset", "tokens", "embedding", "attention", "block", "classify", "training", "model")


@pytest.fixture(scope="module")
def fresh_export(imdb_dir, bpe_ready, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "assets"
    proc = subprocess.run([sys.executable, "-m", "model", "export", "--data-dir", str(imdb_dir), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def assert_same(committed, fresh, where: str) -> None:
    """Equal structure, equal strings and integers, floats equal to float32 precision."""
    assert type(committed) is type(fresh), where
    if isinstance(committed, dict):
        assert sorted(committed) == sorted(fresh), where
        for k in committed:
            assert_same(committed[k], fresh[k], f"{where}.{k}")
    elif isinstance(committed, (list, tuple)):
        assert len(committed) == len(fresh), where
        for i, (a, b) in enumerate(zip(committed, fresh)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(committed, np.ndarray):
        assert committed.dtype == fresh.dtype and committed.shape == fresh.shape, where
        if committed.dtype.kind == "f":
            np.testing.assert_allclose(committed, fresh, rtol=1e-5, atol=1e-6, err_msg=where)
        else:
            assert np.array_equal(committed, fresh), where
    elif isinstance(committed, float):
        assert committed == pytest.approx(fresh, rel=1e-5, abs=1e-6, nan_ok=True), where
    else:
        assert committed == fresh, where


@pytest.mark.parametrize("name", NAMES)
def test_committed_asset_equals_a_fresh_export(name, fresh_export):
    assert_same(store.load(name, COMMITTED), store.load(name, fresh_export), name)


def test_committed_manifest_equals_a_fresh_one(fresh_export):
    old, new = store.read_manifest(COMMITTED), store.read_manifest(fresh_export)
    for key in ("schema_version", "config", "seed", "example_rule", "checkpoint_sha256"):
        assert old[key] == new[key], key
    assert sorted(old["assets"]) == sorted(new["assets"]) == sorted(NAMES)


def test_dataset_facts_counted_from_the_parquet(imdb_dir):
    ds = store.load("dataset", COMMITTED)
    for split in ("train", "test"):
        labels = pq.read_table(imdb_dir / f"{split}.parquet", columns=["label"])["label"].to_numpy()
        assert ds[f"n_{split}"] == len(labels)
        assert ds[f"{split}_counts"] == [int((labels == 0).sum()), int((labels == 1).sum())]
    assert ds["n_unsup"] == pq.ParquetFile(imdb_dir / "unsup.parquet").metadata.num_rows
    test = pq.read_table(imdb_dir / "test.parquet")
    for ex in ds["examples"]:  # each example is that row of the test split, <br /> tags as spaces
        raw = test["text"][ex["index"]].as_py()
        assert ex["text"] == raw.replace("<br />", " ").replace("<br/>", " ").replace("<br>", " ")
        assert ex["label"] == test["label"][ex["index"]].as_py()
    lengths = np.array([len(word_tokenize(t)) for t in pq.read_table(imdb_dir / "train.parquet")["text"].to_pylist()])
    assert ds["median_tokens"] == float(np.median(lengths))
    assert ds["mean_tokens"] == pytest.approx(lengths.mean())
    assert int(np.sum(ds["length_hist"]["counts"])) == len(lengths)


def test_vocabulary_facts_counted_from_the_train_split(imdb_dir):
    tok = store.load("tokens", COMMITTED)
    _, vocab, cfg, _ = load_checkpoint(DEFAULT_CHECKPOINT)
    counts = Counter()
    for text in pq.read_table(imdb_dir / "train.parquet")["text"].to_pylist():
        counts.update(word_tokenize(text))
    assert tok["n_unique_train_words"] == len(counts)
    kept = sum(1 for c in counts.values() if c >= cfg.min_count)
    assert tok["vocab_size"] == len(vocab) == min(cfg.vocab_size, kept + 2)  # + <pad> and <unk>
    for i, word, count in list(tok["vocab_head"]) + list(tok["vocab_tail"]):
        assert vocab.itos[i] == word
        assert count == (0 if word in ("<pad>", "<unk>") else counts[word]), word
    top = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:14]]
    assert [w for _, w, _ in tok["vocab_head"][2:]] == top  # ordered by frequency, ties alphabetical


def test_every_example_in_words_and_bpe(bpe_ready):
    from model.tokenize import bpe_encoding

    enc = bpe_encoding()  # tiktoken's own r50k_base, read offline from TIKTOKEN_RANKS_DIR
    tok, ds = store.load("tokens", COMMITTED), store.load("dataset", COMMITTED)
    _, vocab, _, _ = load_checkpoint(DEFAULT_CHECKPOINT)
    assert len(tok["examples"]) == len(ds["examples"]) == 3
    for shown, ex in zip(tok["examples"], ds["examples"]):
        assert shown["words"] == word_tokenize(ex["text"])
        assert shown["word_ids"] == [vocab.stoi.get(w, 1) for w in shown["words"]]
        assert shown["bpe_ids"] == enc.encode_ordinary(ex["text"])
        assert "".join(shown["bpe_pieces"]) == ex["text"]
    assert tok["words"] == tok["examples"][0]["words"] and tok["bpe_ids"] == tok["examples"][0]["bpe_ids"]
