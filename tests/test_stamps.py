"""Render stamps (scripts/stamps.py): a chapter renders again when, and only when, what it depends on changed."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scenes.chapters import BY_CLASS, CHAPTERS
from scripts import stamps
from scripts.stamps import input_key

ROOT = Path(__file__).resolve().parent.parent


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


def _key(root: Path, cls: str = "Ch01Motivation", voice: Path | None = None) -> str:
    return input_key(BY_CLASS[cls], "l", root / "assets", root / "manim.cfg", root=root, voice=voice)


def _keys(root: Path) -> dict[str, str]:
    return {c.cls: _key(root, c.cls) for c in CHAPTERS}


def _append(path: Path, text: str = "\n# an edit\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(text)


def test_editing_one_chapter_changes_that_chapters_key_and_no_other(repo_copy):
    before = _keys(repo_copy)
    assert _keys(repo_copy) == before, "unchanged inputs must keep the key"
    for c in CHAPTERS:
        _append(repo_copy / "scenes" / f"{c.stem}.py")
        now = _keys(repo_copy)
        assert [k for k in now if now[k] != before[k]] == [c.cls], f"editing {c.stem}.py"
        before = now


@pytest.mark.parametrize("edit", ["scenes/common/palette.py", "scenes/common/chapter.py",
                                  "scenes/speedups/__init__.py", "scenes/chapters.py", "model/store.py",
                                  "requirements.lock"])
def test_the_kit_the_speedups_the_registry_the_store_and_the_lock_file_are_every_chapters_input(repo_copy, edit):
    before = _keys(repo_copy)
    _append(repo_copy / edit)
    now = _keys(repo_copy)
    assert all(now[c] != before[c] for c in now), f"{edit} must change every chapter's key"


def test_training_code_no_chapter_imports_is_no_chapters_input(repo_copy):
    before = _keys(repo_copy)
    _append(repo_copy / "model" / "train.py")
    assert _keys(repo_copy) == before


def test_code_a_chapter_shows_is_its_input(repo_copy):
    before = _keys(repo_copy)
    _append(repo_copy / "model" / "attention.py")  # shown as code in chapter 10
    now = _keys(repo_copy)
    assert [k for k in now if now[k] != before[k]] == ["Ch10MultiHead"]


def test_an_asset_is_the_input_of_the_chapters_that_read_it(repo_copy):
    before = _keys(repo_copy)
    path = repo_copy / "assets" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"][manifest["assets"]["embedding"]]["sha256"] = "0" * 64
    path.write_text(json.dumps(manifest))
    now = _keys(repo_copy)
    assert [k for k in now if now[k] != before[k]] == [c.cls for c in CHAPTERS if "embedding" in c.reads]


def test_the_installed_manim_version_and_the_voice_are_inputs(repo_copy, monkeypatch, tmp_path):
    before = _key(repo_copy)
    voice = tmp_path / "voice.json"
    voice.write_text('{"voice": "joe", "lines": {}}')
    assert _key(repo_copy, voice=voice) != before
    monkeypatch.setattr(stamps, "manim_version", lambda: "0.99.0")
    assert _key(repo_copy) != before
