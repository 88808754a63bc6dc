"""Golden frames: the heatmap, the value matrix, the labelled token heatmap and the last slide of
chapter 6, drawn from fixed arrays and compared pixel by pixel with tests/control_data/attention/.

Text is hidden before the frame is taken (fonts and LaTeX may differ between machines); what is
compared is geometry and colour: squares, cells, brackets, boxes, lines.

Write new control data after an intended visual change with
    .venv/bin/python -m pytest tests/test_golden_frames.py --set_test
(manim's frames_comparison puts it next to this file: control_data/<__module_test__>/<test>.npz).

manim skips these tests on cairo older than 1.18 because *its own* control data was drawn with
1.18; ours is drawn here, so the check is lowered to the cairo that made it, recorded in
control_data/attention/CAIRO_VERSION. On another cairo the tests skip (pixels may differ a little).
"""
from __future__ import annotations

from pathlib import Path

import cairo
import numpy as np
import pytest
from manim import Code, SingleStringMathTex, Text
from manim.utils.testing import frames_comparison as fc
from manim.utils.testing.frames_comparison import frames_comparison

from scenes.chapters import scene_class
from scenes.common import Heatmap, ValueMatrix, token_heatmap

Ch06SelfAttention = scene_class("Ch06SelfAttention")

__module_test__ = "attention"
CONTROL = Path(__file__).resolve().parent / "control_data" / __module_test__
CAIRO_FILE = CONTROL / "CAIRO_VERSION"


@pytest.fixture(autouse=True)
def same_cairo(request, monkeypatch):
    """Allow this machine's cairo, and compare only against data drawn with the same cairo."""
    monkeypatch.setattr(fc, "MIN_CAIRO_VERSION", 0)
    here = str(cairo.cairo_version())
    if request.config.getoption("--set_test"):
        CONTROL.mkdir(parents=True, exist_ok=True)
        CAIRO_FILE.write_text(here + "\n")
    elif CAIRO_FILE.is_file() and CAIRO_FILE.read_text().strip() != here:
        pytest.skip(f"control data drawn with cairo {CAIRO_FILE.read_text().strip()}, this is {here}")


def hide_text(*mobjects) -> None:
    """Make every Text, formula and code block invisible (their size and place stay)."""
    for mob in mobjects:
        for m in mob.get_family():
            if isinstance(m, (Text, SingleStringMathTex, Code)):
                m.set_opacity(0)


def fixed_weights(n: int, seed: int) -> np.ndarray:
    """Rows that sum to one, the same on every machine."""
    rng = np.random.default_rng(seed)
    w = np.exp(2.5 * rng.standard_normal((n, n)))
    return w / w.sum(axis=1, keepdims=True)


def synthetic_attention() -> dict:
    """An attention.pkl look-alike (the keys chapter 6 reads), computed from a fixed X."""
    tokens = ["alpha", "bravo", "charlie", "delta", "echo"]
    X = np.random.default_rng(7).standard_normal((5, 8)).astype(np.float32)
    XXt = X @ X.T
    scaled = XXt / np.sqrt(X.shape[1])
    e = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    W = e / e.sum(axis=1, keepdims=True)
    r = 2
    exps = np.exp(scaled[r])
    return {"tokens": tokens, "X": X, "XXt": XXt, "scaled": scaled, "W": W, "Y": W @ X,
            "softmax_row": {"row": r, "scores": scaled[r], "exps": exps, "sum": float(exps.sum()),
                            "weights": exps / exps.sum()}}


class Ch06Golden(Ch06SelfAttention):
    """Chapter 6 on fixed data, without the title card and the closing fade: its last slide stays."""

    @staticmethod
    def asset(name: str) -> dict:
        assert name == "attention"
        return synthetic_attention()

    def title_card(self) -> None:
        pass

    def finish(self) -> None:
        pass


@frames_comparison
def test_heatmap(scene):
    hm = Heatmap(fixed_weights(6, 1), [f"t{k}" for k in range(6)], cell=0.6, show_values=True)
    hide_text(hm)
    scene.add(hm.move_to([0, 0, 0]))


@frames_comparison
def test_value_matrix(scene):
    arr = np.sin(np.arange(8 * 10, dtype=float).reshape(8, 10) * 0.7) * 2.0
    vm = ValueMatrix(arr, max_rows=5, max_cols=6, row_labels=[f"row {k}" for k in range(8)])
    hide_text(vm)
    scene.add(vm.move_to([0, 0, 0]))


@frames_comparison
def test_token_heatmap(scene):
    n = 24
    hm = token_heatmap(fixed_weights(n, 2), [f"w{k}" for k in range(n)], cell=0.2)
    hide_text(hm)
    scene.add(hm.move_to([0, 0, 0]))


@frames_comparison(base_scene=Ch06Golden)
def test_ch06_last_slide(scene):
    Ch06SelfAttention.construct(scene)
    hide_text(*scene.mobjects)
    scene.wait(0.1)  # one more frame, drawn with the text hidden
