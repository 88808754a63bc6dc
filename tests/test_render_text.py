"""render.py's --text pipeline without rendering: text assets, subsets, long reviews through stdin.

Fake manim commands and tiny inputs; no video is rendered."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from bare_python import bare

from scenes.chapters import BY_CLASS, CHAPTERS
from scripts import render, text_video
from scripts.render_chapters import Chapter

ROOT = Path(__file__).resolve().parent.parent
LONG_REVIEW = " ".join(["terrible"] * 10_000 + ["wonderful"] * 10_000)  # far past one argv's limit


def chapter(cls: str, media: Path, quality: str = "l") -> Chapter:
    return Chapter(BY_CLASS[cls], media, quality)


# --- --text and chapter subsets -----------------------------------------------------------

def test_text_with_no_review_chapter_is_one_clear_error(tmp_path):
    proc = bare("--text", "hi there", "Ch01Motivation", env={"ATTENTION_MEDIA": str(tmp_path)})
    assert proc.returncode == 2, proc.stderr
    assert "Ch01Motivation does not depend on the review" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("render.sh: ") and len(proc.stderr.strip().splitlines()) == 2  # + usage
    assert not (tmp_path / "text").exists(), "nothing is exported for a command that cannot render"


def test_a_text_subset_does_not_overwrite_the_full_text_video(tmp_path):
    media = tmp_path / "text" / "0123456789"
    plan = render.Plan(tmp_path / "assets", media, "review-0123456789", render.TEXT_CHAPTERS)
    full, _ = render.output_paths(plan, "l", [chapter(c, media) for c in render.TEXT_CHAPTERS])
    subset, srt = render.output_paths(plan, "l", [chapter("Ch03Tokens", media)])
    assert full == media / "review-0123456789-480p15.mp4"
    assert subset == media / "subsets" / "review-0123456789-Ch03Tokens-480p15.mp4"
    assert srt == subset.with_suffix(".srt")
    other, _ = render.output_paths(plan, "l", [chapter("Ch04Padding", media)])
    assert other != subset
    assert "media/text/<hash>/subsets/" in render.__doc__ and "media/text/<hash>/subsets/" in render.OUTPUTS


def test_the_full_video_and_its_subsets_keep_their_paths(tmp_path):
    plan = render.Plan(tmp_path / "assets", tmp_path)
    full, _ = render.output_paths(plan, "h", [chapter(c.cls, tmp_path, "h") for c in CHAPTERS])
    assert full == tmp_path / "attention-explained-1080p60.mp4"
    sub, _ = render.output_paths(plan, "l", [chapter("Ch02Dataset", tmp_path)])
    assert sub == tmp_path / "subsets" / "Ch02Dataset-480p15.mp4"


# --- stale text assets ---------------------------------------------------------------------

@pytest.fixture()
def text_repo(tmp_path, monkeypatch) -> dict:
    """A tiny repository (model code, checkpoint, committed manifest) and an export that only
    writes a manifest naming the checkpoint it read, counting its calls."""
    root = tmp_path / "repo"
    (root / "model").mkdir(parents=True)
    (root / "model" / "export.py").write_text("# export code\n")
    ckpt = text_video.checkpoint_path(root)
    ckpt.parent.mkdir()
    ckpt.write_bytes(b"weights v1")
    committed = root / "assets"
    committed.mkdir()
    (committed / "manifest.json").write_text('{"schema_version": 1}\n')
    calls = []

    def fake_export(text, root_, out, committed_):
        calls.append(text)
        out.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256(ckpt.read_bytes()).hexdigest()
        (out / "manifest.json").write_text(json.dumps({"schema_version": 1, "checkpoint_sha256": sha}))

    monkeypatch.setattr(text_video, "run_export", fake_export)
    return {"root": root, "ckpt": ckpt, "committed": committed, "media": tmp_path / "media", "calls": calls}


def _prepare(r: dict, text: str = "a fine film") -> Path:
    assets, _, _ = text_video.prepare_text(text, r["root"], r["media"], r["committed"])
    return assets


def test_text_assets_are_reused_only_while_checkpoint_and_code_are_the_same(text_repo):
    r = text_repo
    _prepare(r)
    _prepare(r)
    assert len(r["calls"]) == 1, "nothing changed: the assets are reused"
    r["ckpt"].write_bytes(b"weights v2")
    _prepare(r)
    assert len(r["calls"]) == 2, "a new checkpoint: exported again"
    (r["root"] / "model" / "export.py").write_text("# export code, fixed\n")
    _prepare(r)
    assert len(r["calls"]) == 3, "new export code: exported again"
    (r["committed"] / "manifest.json").write_text('{"schema_version": 1, "new": true}\n')
    _prepare(r)
    assert len(r["calls"]) == 4, "new committed assets: exported again"
    _prepare(r)
    assert len(r["calls"]) == 4


def test_text_assets_from_another_checkpoint_are_exported_again(text_repo):
    r = text_repo
    assets = _prepare(r)
    manifest = json.loads((assets / "manifest.json").read_text())
    manifest["checkpoint_sha256"] = "0" * 64  # made from some other checkpoint
    (assets / "manifest.json").write_text(json.dumps(manifest))
    _prepare(r)
    assert len(r["calls"]) == 2


def test_text_assets_from_before_the_export_key_existed_are_exported_again(text_repo):
    r = text_repo
    assets = _prepare(r)
    (assets.parent / text_video.KEY_FILE).unlink()  # an older render.py wrote no key
    _prepare(r)
    assert len(r["calls"]) == 2


def test_the_checkpoint_looked_at_is_the_one_export_uses():
    from model.checkpoint import DEFAULT_CHECKPOINT

    assert text_video.checkpoint_path(ROOT) == DEFAULT_CHECKPOINT


# --- long reviews through standard input ----------------------------------------------------

def test_text_dash_reads_the_review_from_standard_input(monkeypatch):
    from model.errors import UserError

    seen = []

    def fake_prepare(text, root, media, committed):
        seen.append(text)
        raise UserError("stop here")

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LONG_REVIEW.encode())))
    monkeypatch.setattr(render, "check_environment", lambda: [])
    monkeypatch.setattr(text_video, "prepare_text", fake_prepare)
    assert render.main(["-q", "l", "--text", "-"]) == 2
    assert seen == [LONG_REVIEW]


def test_the_export_gets_the_text_on_stdin_not_on_its_command_line(monkeypatch, tmp_path):
    got = {}

    def fake_run(cmd, **kw):
        got["cmd"], got["input"] = cmd, kw.get("input")
        return subprocess.CompletedProcess(cmd, 0, b"", b"")

    monkeypatch.setattr(text_video.subprocess, "run", fake_run)
    text_video.run_export("a review with ünïcode", ROOT, tmp_path / "out", ROOT / "assets")
    cmd = got["cmd"]
    assert cmd[cmd.index("--text") + 1] == "-" and not any("review" in a for a in cmd)
    assert got["input"] == "a review with ünïcode".encode()


def test_a_twenty_thousand_word_review_exports_through_stdin(tmp_path, bpe_ready):
    from model import store

    out = tmp_path / "out"
    text_video.run_export(LONG_REVIEW, ROOT, out, ROOT / "assets")
    assert len(store.load("tokens", out)["words"]) == 20_000
