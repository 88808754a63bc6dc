"""render.py's pipeline without rendering: stamps, a bare Python, --text, damaged assets, staging,
the environment check, progress and usage. Fake manim commands and tiny inputs; no video is rendered."""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scenes.chapters import CHAPTERS
from scripts import render, render_chapters, text_video
from scripts.render_chapters import Chapter, input_key

ROOT = Path(__file__).resolve().parent.parent
RENDER_PY = ROOT / "scripts" / "render.py"
LONG_REVIEW = " ".join(["terrible"] * 10_000 + ["wonderful"] * 10_000)  # far past one argv's limit


def chapter(cls: str, media: Path, quality: str = "l") -> Chapter:
    stem, _, title = next(c for c in CHAPTERS if c[1] == cls)
    return Chapter(stem, cls, title, media, quality)


# --- 1. stamps -------------------------------------------------------------------------------

@pytest.fixture()
def repo_copy(tmp_path) -> Path:
    """The scene and model sources, the lock file, a config and an assets manifest, copied."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "scenes", root / "scenes", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "model", root / "model", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "requirements.lock", root / "requirements.lock")
    shutil.copy(ROOT / "manim.cfg", root / "manim.cfg")
    (root / "assets").mkdir()
    shutil.copy(ROOT / "assets" / "manifest.json", root / "assets" / "manifest.json")
    return root


def _key(root: Path, cls: str = "Ch01Motivation") -> str:
    return input_key(cls, "l", root / "assets", root / "manim.cfg", root=root)


def test_editing_an_imported_chapter_changes_the_key_of_the_chapters_importing_it(repo_copy):
    before = _key(repo_copy)
    assert _key(repo_copy) == before, "unchanged inputs must keep the key"
    with open(repo_copy / "scenes" / "ch03_tokens.py", "a") as f:  # Ch01 imports ch03_tokens
        f.write("\n# an edit\n")
    assert _key(repo_copy) != before
    ch10 = _key(repo_copy, "Ch10MultiHead")
    with open(repo_copy / "scenes" / "ch09_qkv.py", "a") as f:  # Ch10 imports ch09_qkv
        f.write("\n# an edit\n")
    assert _key(repo_copy, "Ch10MultiHead") != ch10


@pytest.mark.parametrize("edit", ["nested_scene_file", "lock_file"])
def test_scene_subfolders_and_the_lock_file_are_inputs(repo_copy, edit):
    before = _key(repo_copy)
    path = {"nested_scene_file": repo_copy / "scenes" / "common" / "deep" / "extra.py",
            "lock_file": repo_copy / "requirements.lock"}[edit]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write("# changed\n")
    assert _key(repo_copy) != before


def test_the_installed_manim_version_is_an_input(repo_copy, monkeypatch):
    before = _key(repo_copy)
    monkeypatch.setattr(render_chapters, "manim_version", lambda: "0.99.0")
    assert _key(repo_copy) != before


# --- 2. a bare Python ------------------------------------------------------------------------

def _bare(*args, **kw):
    """render.py under ``python -S``: no site-packages, as on a fresh machine."""
    return subprocess.run([sys.executable, "-S", str(RENDER_PY), *args], capture_output=True, text=True,
                          timeout=60, cwd="/", **kw)


def test_list_and_bad_flags_need_no_third_party_package():
    assert subprocess.run([sys.executable, "-S", "-c", "import av"], capture_output=True).returncode != 0
    listed = _bare("--list")
    assert listed.returncode == 0, listed.stderr
    assert [ln.split("\t")[0] for ln in listed.stdout.splitlines()] == [c[1] for c in CHAPTERS]
    bad = _bare("--bogus")
    assert bad.returncode == 2 and "unrecognized arguments: --bogus" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.fixture()
def bare_checkout(tmp_path) -> tuple[Path, dict]:
    """render.sh and what --list needs, with no .venv, a python3 without site-packages, and a
    bootstrap that only records that it ran."""
    root = tmp_path / "checkout"
    for rel in ("render.sh", "scripts/__init__.py", "scripts/render.py", "scripts/render_chapters.py",
                "scenes/__init__.py", "scenes/chapters.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, root / rel)
    (root / "scripts" / "bootstrap.sh").write_text(f'touch "{tmp_path}/bootstrapped"; exit 97\n')
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')
    (bindir / "python3").chmod(0o755)
    return root, {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(tmp_path)}


def test_render_sh_answers_list_and_bad_flags_before_installing_anything(bare_checkout, tmp_path):
    root, env = bare_checkout
    sh = [str(root / "render.sh")]
    listed = subprocess.run(sh + ["--list"], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 14, listed.stderr
    bad = subprocess.run(sh + ["--bogus"], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bootstrapped").exists(), "a bad flag must not start the installation"
    good = subprocess.run(sh + ["-q", "l", "Ch02Dataset"], capture_output=True, text=True, env=env, timeout=60)
    assert good.returncode == 97 and (tmp_path / "bootstrapped").exists(), "good flags go on to set-up"


# --- 3. --text and chapter subsets -----------------------------------------------------------

def test_text_with_no_review_chapter_is_one_clear_error(tmp_path):
    proc = _bare("--text", "hi there", "Ch01Motivation", env={"ATTENTION_MEDIA": str(tmp_path)})
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
    full, _ = render.output_paths(plan, "h", [chapter(c[1], tmp_path, "h") for c in CHAPTERS])
    assert full == tmp_path / "attention-explained-1080p60.mp4"
    sub, _ = render.output_paths(plan, "l", [chapter("Ch02Dataset", tmp_path)])
    assert sub == tmp_path / "subsets" / "Ch02Dataset-480p15.mp4"


# --- 4. stale text assets ---------------------------------------------------------------------

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


# --- 5. long reviews through standard input ----------------------------------------------------

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


# --- 6. damaged assets --------------------------------------------------------------------------

def test_a_truncated_asset_stops_the_render_before_manim_starts(tmp_path, monkeypatch, capsys):
    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets)
    victim = next(assets.glob("block.*.pkl"))
    victim.write_bytes(victim.read_bytes()[:100])
    media = tmp_path / "media"
    started = []
    monkeypatch.setenv("ATTENTION_ASSETS", str(assets))
    monkeypatch.setenv("ATTENTION_MEDIA", str(media))
    monkeypatch.setattr(render, "check_environment", lambda: [])
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a) or pytest.fail("a process started"))
    code = render.main(["-q", "l", "Ch02Dataset"])  # Ch02 does not even read the damaged asset
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("render.sh: ") and len(err.strip().splitlines()) == 1, err
    assert victim.name in err and "truncated" in err and "Traceback" not in err
    assert not started and not (media / "logs").exists()


# --- 7. staging ------------------------------------------------------------------------------------

def fake_manim(outcome: str):
    """A stand-in for ``subprocess.call`` running manim: it reads the config and writes where manim
    would (``video_dir``, else manim's default ``<media>/videos/<module>/<quality>``)."""
    def call(cmd, stdout=None, stderr=None, cwd=None, env=None):
        cfg = render_chapters.read_config(Path(cmd[cmd.index("--config_file") + 1]))
        media, stem, cls = Path(cmd[cmd.index("--media_dir") + 1]), Path(cmd[-2]).stem, cmd[-1]
        video_dir = Path(cfg["CLI"].get("video_dir", f"{media}/videos/{stem}/480p15"))
        segments = Path(cfg["CLI"].get("partial_movie_dir", f"{video_dir}/partial_movie_files/{cls}"))
        video_dir.mkdir(parents=True, exist_ok=True)
        segments.mkdir(parents=True, exist_ok=True)
        (segments / "seg1.mp4").write_bytes(b"a finished segment")
        if outcome == "ok":
            (video_dir / f"{cls}.mp4").write_bytes(b"new video")
            (video_dir / f"{cls}.srt").write_text("new subtitles")
            return 0
        (video_dir / f"{cls}.mp4").write_bytes(b"half a vid")  # what a crash leaves behind
        return 1 if outcome == "fail" else -9
    return call


@pytest.fixture()
def old_chapter(tmp_path) -> Chapter:
    ch = chapter("Ch02Dataset", tmp_path / "media")
    ch.video.parent.mkdir(parents=True)
    ch.video.write_bytes(b"the previous good video")
    ch.srt.write_text("the previous subtitles")
    return ch


def _render(ch: Chapter, monkeypatch, outcome: str) -> int:
    monkeypatch.setattr(render_chapters.subprocess, "call", fake_manim(outcome))
    media = ch.log.parent.parent
    code, _ = render_chapters.render_one(ch, "l", ROOT / "manim.cfg", media, ROOT / "assets")
    return code


@pytest.mark.parametrize("outcome", ["fail", "killed"])
def test_a_failing_chapter_leaves_the_previous_video_untouched(old_chapter, monkeypatch, outcome):
    ch = old_chapter
    assert _render(ch, monkeypatch, outcome) != 0
    assert ch.video.read_bytes() == b"the previous good video"
    assert ch.srt.read_text() == "the previous subtitles"
    assert not ch.staging.exists(), "the staging folder is cleaned up"
    # a plain failure keeps manim's finished segments; a kill may have left one half-written
    assert (ch.segments / "seg1.mp4").exists() == (outcome == "fail")


def test_a_good_render_replaces_video_and_subtitles(old_chapter, monkeypatch):
    ch = old_chapter
    assert _render(ch, monkeypatch, "ok") == 0
    assert ch.video.read_bytes() == b"new video" and ch.srt.read_text() == "new subtitles"
    assert not ch.staging.exists() and (ch.segments / "seg1.mp4").exists()


def test_a_staging_folder_left_by_a_killed_run_clears_the_segment_cache(old_chapter, monkeypatch):
    ch = old_chapter
    ch.segments.mkdir(parents=True)
    (ch.segments / "half-written.mp4").write_bytes(b"half")
    ch.staging.mkdir(parents=True)
    render_chapters.prepare_staging(ch)
    assert not (ch.segments / "half-written.mp4").exists()
    assert ch.staging.is_dir() and not any(ch.staging.iterdir())


def test_manim_reads_staging_for_the_video_and_a_lasting_folder_for_its_segment_cache(tmp_path):
    from manim._config.utils import ManimConfig, make_config_parser

    media = tmp_path / "media"
    ch = chapter("Ch02Dataset", media)
    cfg = ManimConfig().digest_parser(make_config_parser(render_chapters.chapter_config(ROOT / "manim.cfg",
                                                                                        media, ch)))
    assert cfg.get_dir("video_dir", module_name=ch.stem) == ch.staging
    assert cfg.get_dir("partial_movie_dir", module_name=ch.stem, scene_name=ch.cls) == ch.segments
    assert not ch.segments.is_relative_to(ch.staging)


# --- 8. the LaTeX class ----------------------------------------------------------------------------

def _which(missing: set[str]):
    return lambda tool: None if tool in missing else f"/usr/bin/{tool}"


def test_a_missing_kpsewhich_is_reported_with_the_install_hint(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", _which({"kpsewhich"}))
    problems = render.check_environment()
    assert any("kpsewhich not found" in p and "texlive-latex-extra" in p for p in problems), problems


@pytest.mark.parametrize("found, reported", [("", True), ("/usr/share/texlive/standalone.cls\n", False)])
def test_the_standalone_class_must_be_found(monkeypatch, found, reported):
    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0 if found else 1, found, "")

    monkeypatch.setattr(render.shutil, "which", _which(set()))
    monkeypatch.setattr(render.subprocess, "run", fake_run)
    problems = render.check_environment()
    assert calls == [["/usr/bin/kpsewhich", "standalone.cls"]]
    hit = [p for p in problems if "standalone.cls not found" in p]
    assert bool(hit) == reported and all("texlive-latex-extra" in p for p in hit)


# --- 9. progress, usage, presets ----------------------------------------------------------------

def test_the_progress_total_counts_up_to_date_chapters_as_done(tmp_path, monkeypatch, capsys):
    media, assets, cfg = tmp_path / "media", ROOT / "assets", ROOT / "manim.cfg"
    chapters = [chapter(c, media) for c in ("Ch01Motivation", "Ch02Dataset", "Ch03Tokens")]
    for ch in chapters[:2]:  # two are up to date
        ch.video.parent.mkdir(parents=True, exist_ok=True)
        ch.video.write_bytes(b"video")
        ch.stamp.parent.mkdir(parents=True, exist_ok=True)
        ch.stamp.write_text(json.dumps({"key": input_key(ch.cls, "l", assets, cfg), "bytes": 5}))

    def fake_render_one(ch, *a):
        ch.video.parent.mkdir(parents=True, exist_ok=True)
        ch.video.write_bytes(b"video")
        return 0, 0.1

    monkeypatch.setattr(render_chapters, "render_one", fake_render_one)
    monkeypatch.setattr(render_chapters, "write_stamp", lambda *a: None)
    args = argparse.Namespace(quality="l", force=False, jobs=1)
    result = render_chapters.render_all(chapters, args, cfg, media, assets)
    assert result["skipped"] == ["Ch01Motivation", "Ch02Dataset"] and result["rendered"] == ["Ch03Tokens"]
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "chapters done" in ln]
    assert lines[0].startswith("[render] 2/3 chapters done | now: Ch03Tokens")


def test_the_usage_line_names_every_option():
    options = [a.option_strings for a in render.build_parser()._actions if a.option_strings and a.dest != "help"]
    for strings in options:
        assert any(s in render.USAGE for s in strings), f"{strings} is missing from the usage line"
    assert render.USAGE in render.__doc__
    assert render.USAGE in (ROOT / "render.sh").read_text()
    assert render.build_parser().format_usage().strip() == f"usage: {render.USAGE}"


def test_presets_are_checked_against_x264s_names():
    bad = _bare("--preset", "fastest")
    assert bad.returncode == 2 and "not an x264 preset" in bad.stderr and "veryslow" in bad.stderr
    assert "Traceback" not in bad.stderr
    for preset in render.X264_PRESETS:
        assert render.parse(["--preset", preset]).preset == preset
