"""render.py's pipeline without rendering: stamps, a bare Python, --text, damaged assets, staging,
the environment check, progress and usage. Fake manim commands and tiny inputs; no video is rendered."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bare_python import bare

from scenes.chapters import BY_CLASS, CHAPTERS
from scripts import preflight, render, render_chapters
from scripts.render_chapters import Chapter, input_key

ROOT = Path(__file__).resolve().parent.parent
LONG_REVIEW = " ".join(["terrible"] * 10_000 + ["wonderful"] * 10_000)  # far past one argv's limit


def chapter(cls: str, media: Path, quality: str = "l") -> Chapter:
    return Chapter(BY_CLASS[cls], media, quality)


# --- 2. a bare Python ------------------------------------------------------------------------

def test_list_and_bad_flags_need_no_third_party_package():
    assert subprocess.run([sys.executable, "-S", "-c", "import av"], capture_output=True).returncode != 0
    listed = bare("--list")
    assert listed.returncode == 0, listed.stderr
    assert [ln.split("\t")[0] for ln in listed.stdout.splitlines()] == [c.cls for c in CHAPTERS]
    bad = bare("--bogus")
    assert bad.returncode == 2 and "unrecognized arguments: --bogus" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.fixture()
def bare_checkout(tmp_path) -> tuple[Path, dict]:
    """render.sh and what --list needs, with no .venv, a python3 without site-packages, and a
    bootstrap that only records that it ran."""
    root = tmp_path / "checkout"
    for rel in ("render.sh", "scripts/__init__.py", "scripts/render.py", "scripts/render_chapters.py",
                "scripts/preflight.py", "scripts/progress.py", "scripts/stamps.py", "scenes/__init__.py",
                "scenes/chapters.py"):
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
    assert not ch.staging.exists(), "the staging folder is cleaned up, segments and all"


def test_a_good_render_replaces_video_and_subtitles(old_chapter, monkeypatch):
    ch = old_chapter
    assert _render(ch, monkeypatch, "ok") == 0
    assert ch.video.read_bytes() == b"new video" and ch.srt.read_text() == "new subtitles"
    assert not ch.staging.exists() and not (ch.segments / "seg1.mp4").exists()


def test_a_staging_folder_left_by_a_killed_run_is_emptied(old_chapter, monkeypatch):
    ch = old_chapter
    ch.segments.mkdir(parents=True)
    (ch.segments / "half-written.mp4").write_bytes(b"half")
    render_chapters.prepare_staging(ch)
    assert not (ch.segments / "half-written.mp4").exists()
    assert ch.staging.is_dir() and not any(ch.staging.iterdir())


def test_manim_renders_video_and_segments_into_staging_with_its_cache_off(tmp_path):
    from manim._config.utils import ManimConfig, make_config_parser

    media = tmp_path / "media"
    ch = chapter("Ch02Dataset", media)
    cfg = ManimConfig().digest_parser(make_config_parser(render_chapters.chapter_config(ROOT / "manim.cfg",
                                                                                        media, ch)))
    assert cfg.get_dir("video_dir", module_name=ch.stem) == ch.staging
    assert cfg.get_dir("partial_movie_dir", module_name=ch.stem, scene_name=ch.cls) == ch.segments
    assert ch.segments.is_relative_to(ch.staging)
    assert cfg.disable_caching, "the per-chapter stamps skip unchanged chapters; manim's cache never hit"


# --- 8. the LaTeX class ----------------------------------------------------------------------------

def _which(missing: set[str]):
    return lambda tool: None if tool in missing else f"/usr/bin/{tool}"


def test_a_missing_kpsewhich_is_reported_with_the_install_hint(monkeypatch):
    monkeypatch.setattr(preflight.shutil, "which", _which({"kpsewhich"}))
    problems = render.check_environment()
    assert any("kpsewhich not found" in p and "texlive-latex-extra" in p for p in problems), problems


@pytest.mark.parametrize("found, reported", [("", True), ("/usr/share/texlive/standalone.cls\n", False)])
def test_the_standalone_class_must_be_found(monkeypatch, found, reported):
    calls = []

    def fake_run(cmd, **kw):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0 if found else 1, found, "")

    monkeypatch.setattr(preflight.shutil, "which", _which(set()))
    monkeypatch.setattr(preflight.subprocess, "run", fake_run)
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
        ch.stamp.write_text(json.dumps({"key": input_key(ch.entry, "l", assets, cfg), "bytes": 5}))

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
    bad = bare("--preset", "fastest")
    assert bad.returncode == 2 and "not an x264 preset" in bad.stderr and "veryslow" in bad.stderr
    assert "Traceback" not in bad.stderr
    for preset in render.X264_PRESETS:
        assert render.parse(["--preset", preset]).preset == preset
