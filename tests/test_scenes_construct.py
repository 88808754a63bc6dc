"""Every chapter builds from the committed assets, and no scene pulls in torch."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from manim import tempconfig

from scenes.chapters import CHAPTERS, available

ROOT = Path(__file__).resolve().parent.parent


def test_every_chapter_in_the_story_has_a_scene_file():
    assert [c[1] for c in available()] == [c[1] for c in CHAPTERS]


@pytest.mark.parametrize("stem, cls, title", available(), ids=[c[1] for c in available()])
def test_chapter_constructs_under_dry_run(stem, cls, title):
    scene_cls = getattr(importlib.import_module(f"scenes.{stem}"), cls)
    with tempconfig({"dry_run": True, "quality": "low_quality", "disable_caching": True, "progress_bar": "none"}):
        scene = scene_cls(skip_animations=True)  # every animation still begins, ends and takes its time
        scene.render()
    assert scene.TITLE == title
    assert scene.renderer.time > 10, "a chapter should last more than a few seconds"


def test_scenes_never_import_torch():
    code = ("import sys, importlib\n"
            f"for stem, cls, _ in {available()!r}:\n"
            "    importlib.import_module('scenes.' + stem)\n"
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('torch.')]\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
