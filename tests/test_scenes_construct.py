"""Every chapter builds from the committed assets, lasts 45-120 s, keeps its text readable and
inside the frame, and no scene pulls in torch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scene_runs import text_problems

from scenes.chapters import CHAPTERS, available

ROOT = Path(__file__).resolve().parent.parent


def test_every_chapter_in_the_story_has_a_scene_file():
    assert [c[1] for c in available()] == [c[1] for c in CHAPTERS]


@pytest.mark.parametrize("stem, cls, title", available(), ids=[c[1] for c in available()])
def test_chapter_constructs_under_dry_run(stem, cls, title, scene_run):
    scene = scene_run(cls)  # every animation still begins, ends and takes its time
    assert scene.TITLE == title
    assert 45 <= scene.duration <= 120, f"{cls} runs {scene.duration:.1f} s"
    assert scene.captions, "every chapter is narrated"


@pytest.mark.parametrize("stem, cls, title", available(), ids=[c[1] for c in available()])
def test_text_is_readable_and_inside_the_frame(stem, cls, title, scene_run):
    """Checked after every animation, on what is on stage then: font size 18 or more at 1080p,
    and inside the content area (captions and headings have their own bands)."""
    small, outside = text_problems(scene_run(cls))
    assert not small, f"text below font size 18: {small[:5]}"
    assert not outside, f"outside the content area: {outside[:5]}"


def test_scenes_never_import_torch():
    code = ("import sys, importlib\n"
            f"for stem, cls, _ in {available()!r}:\n"
            "    importlib.import_module('scenes.' + stem)\n"
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
