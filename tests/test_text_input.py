"""A user's own review: `export --text` and `render.sh --text`, hostile texts, and export determinism."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model import store
from model.tokenize import word_tokenize

ROOT = Path(__file__).resolve().parent.parent


def export_text(text: str | bytes, out: Path, stdin: bool = False) -> subprocess.CompletedProcess:
    """``python -m model export --text`` for ``text`` into ``out``, from standard input with ``stdin``.

    ``bytes`` (which may be invalid UTF-8) always go through standard input, as they are. The
    result's ``stdout`` and ``stderr`` are text (UTF-8, undecodable bytes replaced).
    """
    stdin = stdin or isinstance(text, bytes)
    args = [sys.executable, "-m", "model", "export", "--text", "-" if stdin else text, "--out", str(out)]
    data = (text if isinstance(text, bytes) else text.encode("utf-8")) if stdin else None
    proc = subprocess.run(args, input=data, capture_output=True, cwd=ROOT, timeout=300)
    return subprocess.CompletedProcess(args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def test_export_text_holds_that_texts_tokens(tmp_path, bpe_ready):
    text = "A slow start, but the ending was wonderful."
    proc = export_text(text, tmp_path / "a")
    assert proc.returncode == 0, proc.stderr
    words = word_tokenize(text)
    assert store.load("tokens", tmp_path / "a")["words"] == words
    assert store.load("attention", tmp_path / "a")["tokens"] == words[:5]
    assert store.load("block", tmp_path / "a")["tokens"] == words
    ex = store.load("classify", tmp_path / "a")["examples"][0]
    assert ex["label"] == -1 and ex["correct"] is None  # nobody labelled it; nothing is called right or wrong
    assert abs(float(ex["probs"].sum()) - 1) < 1e-5


HOSTILE = {
    "empty": ("", 2),
    "whitespace": (" \t\n  ", 2),
    "only_br": ("<br /><br/><BR>", 2),
    "only_html": ("<div><p><i></i></p></div>", 2),
    "nul_and_controls": ("great\x00 film\x07 \x1b[31m loved it", 0),
    "emoji": ("😀😀 🎬 👍", 0),
    "right_to_left": ("סרט נהדר מאוד فيلم رائع", 0),
    "all_unknown": ("zxqv blorf snargle wibbet", 0),
    "twenty_thousand_words": (" ".join(["terrible"] * 10_000 + ["wonderful"] * 10_000), 0),
}
ALL_UNKNOWN = {"emoji", "right_to_left", "all_unknown"}  # not one token the vocabulary knows


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_texts_get_assets_or_one_clear_error(case, tmp_path, bpe_ready):
    text, want = HOSTILE[case]
    proc = export_text(text, tmp_path / "out", stdin=True)
    assert proc.returncode == want, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    if want == 2:
        assert proc.stderr.strip().startswith("error: ") and len(proc.stderr.strip().splitlines()) <= 2
        assert not (tmp_path / "out" / "manifest.json").exists()
    else:
        words = store.load("tokens", tmp_path / "out")["words"]
        assert words == word_tokenize(text)
        warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning")]
        assert len(warnings) == (case in ALL_UNKNOWN), proc.stderr  # predict's one-line warning, on stderr


def _manifest_hash() -> str:
    return hashlib.sha256((ROOT / "assets" / "manifest.json").read_bytes()).hexdigest()


@pytest.mark.slow
def test_render_text_makes_a_video_and_leaves_committed_assets_alone(tmp_path, bpe_ready):
    before = _manifest_hash()
    text = "What a lovely little film."
    env = {**os.environ, "ATTENTION_MEDIA": str(tmp_path / "media")}
    proc = subprocess.run([str(ROOT / "render.sh"), "-q", "l", "--text", text, "Ch03Tokens"], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    video = Path(proc.stdout.strip().splitlines()[-1])
    h = hashlib.sha256(text.encode()).hexdigest()[:10]
    # a subset of the text chapters has its own path, beside (not over) the full text video
    assert video == tmp_path / "media" / "text" / h / "subsets" / f"review-{h}-Ch03Tokens-480p15.mp4"
    assert video.is_file() and video.stat().st_size > 10_000
    assets = tmp_path / "media" / "text" / h / "assets"
    assert store.load("tokens", assets)["words"] == word_tokenize(text)
    assert _manifest_hash() == before


def test_render_text_refuses_an_empty_text_cleanly(tmp_path):
    env = {**os.environ, "ATTENTION_MEDIA": str(tmp_path / "media")}
    proc = subprocess.run([str(ROOT / "render.sh"), "-q", "l", "--text", "   "], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "no words" in proc.stderr and "Traceback" not in proc.stderr


# --- determinism ------------------------------------------------------------------------------------

GOOD = ["a truly wonderful film with great acting , a moving story and a beautiful ending that i loved",
        "one of the best movies i have seen in years , brilliant and funny and warm from start to end",
        "i loved every minute of this excellent film , the cast is superb and the music is great"]
BAD = ["a truly awful film with terrible acting , a boring story and a stupid ending that i hated",
       "one of the worst movies i have seen in years , dull and silly and cold from start to end",
       "i hated every minute of this dreadful film , the cast is poor and the music is awful"]
MIXED = "the film has some great moments and some awful ones , so i am not sure what i think of it"


@pytest.fixture()
def tiny_reviews(tmp_path) -> Path:
    """Reviews of 12 to 40 tokens, and one text labelled both ways (so something is always wrong)."""
    folder = tmp_path / "imdb"
    folder.mkdir()
    texts = (GOOD + BAD) * 15 + [MIXED, MIXED]
    labels = ([1] * 3 + [0] * 3) * 15 + [1, 0]
    for split in ("train", "test"):
        pq.write_table(pa.table({"text": texts, "label": labels}), folder / f"{split}.parquet")
    return folder


def test_export_is_byte_identical_for_the_same_seed_and_data(tiny_reviews, tmp_path, bpe_ready):
    ck = tmp_path / "ck.pt"
    settings = ["d_model=16", "n_heads=2", "d_ff=32", "max_len=48", "epochs=12", "min_count=1",
                "vocab_size=200", "batch_size=16", "warmup_steps=5", "lr=0.01"]
    train = [sys.executable, "-m", "model", "train", "--data-dir", str(tiny_reviews), "--out", str(ck), "--quiet"]
    for s in settings:
        train += ["--set", s]
    proc = subprocess.run(train, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        proc = subprocess.run([sys.executable, "-m", "model", "export", "--data-dir", str(tiny_reviews),
                               "--checkpoint", str(ck), "--out", str(out)],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0].keys() == outs[1].keys() and len(outs[0]) == 9  # eight pickles and the manifest
    for name in outs[0]:
        assert outs[0][name] == outs[1][name], f"{name} differs between two exports"
