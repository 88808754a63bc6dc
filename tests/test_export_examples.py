"""What the export picks and how it reads it: the example rule, each review read once, the dataset
facts ``export --text`` takes from the committed manifest, and the choices its assets carry.

The numbers of the model assets are recomputed in test_export_model.py; the selection rules of
model/choices.py are tested on hand-made inputs in test_choices.py.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from model import store
from model.checkpoint import DEFAULT_CHECKPOINT, load_checkpoint
from model.choices import COMMON_IDS, head_choices, motivation_choices, permutation_choices
from model.config import Config
from model.export import tokens_asset
from model.export_model import choose_examples, model_assets
from model.facts import DATASET_KEYS, MANIFEST_KEY
from model.review import build_review, fresh
from model.tokenize import Vocab, bpe_encoding

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "assets"
PERM_KEYS = ("tokens", "tokens_perm", "perm", "Y", "Y_perm", "Y_pos", "Y_pos_perm")


# --- the example-selection rule, with a model whose answers are known ---------------------------

class _Stub(torch.nn.Module):
    """Says positive (p = 0.993) when a review starts with "pos", negative when with "neg",
    and P(positive) = 0.62 (correct-ish but not confident) when with "meh"."""

    def __init__(self):
        super().__init__()
        self.config = Config(max_len=64)

    def forward(self, ids, mask=None, return_trace=False):
        first = ids[:, 0]
        logits = torch.zeros(len(ids), 2)
        logits[first == 2] = torch.tensor([0.0, 5.0])
        logits[first == 3] = torch.tensor([5.0, 0.0])
        logits[first == 4] = torch.tensor([0.0, 0.5])
        return (logits, {}) if return_trace else logits


def test_choose_examples_follows_the_rule():
    import datasets

    vocab = Vocab(["<pad>", "<unk>", "pos", "neg", "meh", "x"])

    def review(first, n, br=False):
        return " ".join([first] + ["x"] * (n - 1)) if not br else first + "<br /><br />" + " x" * (n - 1)

    rows = [
        (review("pos", 11), 1),   # 0 too short
        (review("pos", 20), 1),   # 1 confident positive, longer
        (review("pos", 14), 1),   # 2 <- shortest confident positive
        (review("pos", 14), 1),   # 3 tie: higher index loses
        (review("neg", 41), 0),   # 4 too long
        (review("neg", 30, br=True), 0),  # 5 <- shortest confident negative (text comes back cleaned)
        (review("meh", 12), 1),   # 6 correct but not confident
        (review("pos", 25), 0),   # 7 wrong, longer
        (review("neg", 13), 1),   # 8 <- shortest wrong
    ]
    ds = datasets.Dataset.from_dict({"text": [r for r, _ in rows], "label": [y for _, y in rows]})
    got = choose_examples(_Stub(), vocab, Config(max_len=64), ds)
    assert [e["index"] for e in got] == [2, 5, 8]
    assert [e["label"] for e in got] == [1, 0, 1] and [e["pred"] for e in got] == [1, 0, 0]
    assert [e["n_tokens"] for e in got] == [14, 30, 13]
    assert "<br" not in got[1]["text"] and got[1]["text"].startswith("neg  ")
    assert got[0]["prob_positive"] == pytest.approx(1 / (1 + math.exp(-5)))
    assert set(got[0]) == {"index", "text", "label", "n_tokens", "prob_positive", "pred"}


# --- each example review, read once ------------------------------------------------------------

def test_a_review_is_read_once_by_words_and_by_bpe(bpe_ready):
    vocab = Vocab(["<pad>", "<unk>", "great", "film", "!"])
    r = build_review("Great film, LOVED it!", vocab, bpe_encoding(), index=4, label=1, prob_positive=0.9, pred=1)
    assert r.words == ("great", "film", ",", "loved", "it", "!") and r.n_tokens == 6
    assert r.word_ids == (2, 3, 1, 1, 1, 4)
    assert "".join(r.bpe_pieces) == r.text and len(r.bpe_ids) == len(r.bpe_pieces)
    assert r.read(2) == (["great", "film"], [2, 3])
    assert r.entry() == {"index": 4, "text": "Great film, LOVED it!", "label": 1, "n_tokens": 6,
                         "prob_positive": 0.9, "pred": 1}
    shown = r.in_words_and_bpe()
    assert shown["words"] == list(r.words) and shown["bpe_ids"] == list(r.bpe_ids)
    assert all(a == b and a is not b for a, b in zip(fresh(["great", "film"]), r.words))  # equal, not the same


def test_every_asset_reads_the_review_object_not_its_text(bpe_ready):
    """Give the assets a review whose text says something else: what they show is the review's own words."""
    model, vocab, cfg, extra = load_checkpoint(DEFAULT_CHECKPOINT)
    enc = bpe_encoding()
    real = build_review("a wonderful film , i loved every minute of it", vocab, enc)
    odd = dataclasses.replace(real, text="nothing like it", prob_positive=0.5, pred=1)
    assets = model_assets(model, vocab, cfg, [odd], extra)
    tok = tokens_asset([odd], vocab, cfg, 0, enc)
    words = list(real.words)
    assert tok["words"] == tok["examples"][0]["words"] == words and tok["bpe_pieces"] == list(real.bpe_pieces)
    assert assets["block"]["tokens"] == assets["classify"]["examples"][0]["tokens"] == words
    assert assets["embedding"]["tokens"] == assets["attention"]["tokens"] == words[:5]
    assert assets["model"]["example_n_tokens"] == len(words) == 10


# --- the committed dataset facts, and export --text --------------------------------------------------

def test_the_committed_manifest_holds_the_dataset_facts():
    facts = store.read_manifest(COMMITTED)[MANIFEST_KEY]
    ds, tok = store.load("dataset", COMMITTED), store.load("tokens", COMMITTED)
    assert facts["n_unique_train_words"] == tok["n_unique_train_words"]
    for key in DATASET_KEYS[:-1]:
        assert facts[key] == ds[key], key
    assert facts["length_hist"]["edges"] == ds["length_hist"]["edges"].tolist()
    assert facts["length_hist"]["counts"] == ds["length_hist"]["counts"].tolist()


def export_text(text: str, out: Path, committed: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, ATTENTION_ASSETS=str(committed), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "model", "export", "--text", text, "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("text", ["A slow start, but the ending was wonderful.", "Wonderful"])
def test_text_export_needs_only_the_committed_manifest_and_stores_its_choices(text, tmp_path, bpe_ready):
    """A folder holding only the committed manifest is enough: no committed asset is read."""
    committed = tmp_path / "committed"
    committed.mkdir()
    shutil.copy(COMMITTED / store.MANIFEST, committed / store.MANIFEST)
    proc = export_text(text, tmp_path / "out", committed)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = {name: store.load(name, tmp_path / "out") for name in ("dataset", "tokens", "classify", "attention",
                                                                  "block")}
    ds = store.load("dataset", COMMITTED)
    for key in DATASET_KEYS:  # the dataset facts, as in the committed dataset.pkl
        assert store.dumps(got["dataset"][key]) == store.dumps(ds[key]), key
    assert got["tokens"]["n_unique_train_words"] == store.load("tokens", COMMITTED)["n_unique_train_words"]
    cl, at, bl = got["classify"], got["attention"], got["block"]
    common = {w for _, w, _ in got["tokens"]["vocab_head"]}
    assert len(common) == COMMON_IDS and cl["motivation"] == motivation_choices(cl["sentences"], common)
    assert cl["motivation"] == store.load("classify", COMMITTED)["motivation"]  # the same sentences, the same picks
    perm = permutation_choices(*(at[k] for k in PERM_KEYS))
    assert {k: at[k] for k in perm} == perm
    heads = head_choices(np.asarray(bl["weights"]), bl["links"])
    assert {k: bl[k] for k in heads} == heads
    if text == "Wonderful":  # one token: nothing to reorder, no link; the scenes show less
        assert perm == {"matched_rows": None, "followed_row": None, "changed_row": None}
        assert heads == {"links_shown": [], "head_shown": 0, "head_links": [None, None], "heads_compared": (0, 1)}
    else:
        assert at["matched_rows"] is not None and len(bl["links_shown"]) == 2


def test_text_export_refuses_a_manifest_without_the_facts(tmp_path, bpe_ready):
    committed = tmp_path / "committed"
    committed.mkdir()
    (committed / store.MANIFEST).write_text('{"schema_version": 1}\n')
    proc = export_text("A fine film.", tmp_path / "out", committed)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "holds no dataset facts" in proc.stderr and "older export" in proc.stderr
    assert not (tmp_path / "out").exists()


# --- the shipped checkpoint and the shipped assets ------------------------------------------------

def test_shipped_assets_come_from_the_shipped_checkpoint():
    """assets/ name the checkpoint they were exported from (every array is recomputed in test_export_model.py)."""
    manifest = store.read_manifest(ROOT / "assets")
    assert manifest.get("checkpoint_sha256") == hashlib.sha256(DEFAULT_CHECKPOINT.read_bytes()).hexdigest(), \
        "assets/ were exported from another checkpoint: run python -m model export"
    _, _, cfg, extra = load_checkpoint(DEFAULT_CHECKPOINT)
    assert manifest["config"] == cfg.to_dict()
    tr = store.load("training", ROOT / "assets")
    assert tr["n_test"] == extra["metrics"]["n_test"] == 25_000
    assert tr["test_accuracy"] == pytest.approx(extra["metrics"]["test_accuracy"])
