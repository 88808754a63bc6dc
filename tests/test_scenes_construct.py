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
    assert [c.cls for c in available()] == [c.cls for c in CHAPTERS]


@pytest.mark.parametrize("entry", available(), ids=[c.cls for c in available()])
def test_chapter_constructs_under_dry_run(entry, scene_run):
    """Spoken by the stand-in voice (scene_run): the lengths are those of the narrated video,
    46 to 93 s a chapter at the last render (README's chapter table)."""
    scene = scene_run(entry.cls)  # every animation still begins, ends and takes its time
    assert (scene.NUMBER, scene.TITLE) == (entry.number, entry.title)
    assert 40 <= scene.duration <= 110, f"{entry.cls} runs {scene.duration:.1f} s"
    assert scene.captions, "every chapter is narrated"


@pytest.mark.parametrize("entry", available(), ids=[c.cls for c in available()])
def test_text_is_readable_and_inside_the_frame(entry, scene_run):
    """Checked after every animation, on what is on stage then: font size 18 or more at 1080p,
    and inside the content area (captions and headings have their own bands)."""
    small, outside = text_problems(scene_run(entry.cls))
    assert not small, f"text below font size 18: {small[:5]}"
    assert not outside, f"outside the content area: {outside[:5]}"


def test_scenes_never_import_torch():
    code = ("import sys, importlib\n"
            f"for stem in {[c.stem for c in available()]!r}:\n"
            "    importlib.import_module('scenes.' + stem)\n"
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
