"""Shared fixtures and options.

``IMDB_DIR`` must name the folder with the IMDB parquet files for the data tests,
and ``TIKTOKEN_RANKS_DIR`` the folder with ``r50k_base.tiktoken`` for the BPE
tests; ``.ci/run`` and the README's test command set both.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    # The same two options as manim's own test suite, for frames_comparison.
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write golden-frame control data instead of comparing against it")
    parser.addoption("--show_diff", action="store_true", default=False,
                     help="show a visual diff when a golden-frame test fails")


@pytest.fixture(scope="session")
def imdb_dir() -> Path:
    value = os.environ.get("IMDB_DIR")
    if not value or not (Path(value) / "train.parquet").is_file():
        pytest.fail("set IMDB_DIR to the folder holding train.parquet and test.parquet "
                    "(the README's test command does)", pytrace=False)
    return Path(value)


@pytest.fixture(scope="session")
def bpe_ready() -> None:
    """tiktoken's r50k_base works offline once TIKTOKEN_RANKS_DIR is set."""
    if not os.environ.get("TIKTOKEN_RANKS_DIR"):
        pytest.fail("set TIKTOKEN_RANKS_DIR to the folder holding r50k_base.tiktoken "
                    "(the README's test command does)", pytrace=False)


@pytest.fixture(scope="session")
def scene_run(tmp_path_factory):
    """``scene_run("Ch06SelfAttention")``: that chapter run once per session under manim's dry run,
    with what it showed recorded (see tests/scene_runs.py)."""
    from scene_runs import run_chapter

    from scenes.chapters import CHAPTERS

    from scripts.voice import prepare

    stems = {c.cls: c.stem for c in CHAPTERS}
    media = tmp_path_factory.mktemp("scene-media")  # a private text cache: renders may run alongside
    # the stand-in voice (a burst of 0.3 s a word, near the real voice's pace) speaks every line,
    # so the chapters last as long as in the narrated video
    voices, _ = prepare([(c.stem, c.cls) for c in CHAPTERS], "tone", media / "voice", media / "voice-cache",
                        ROOT / "assets")
    runs: dict = {}

    def get(cls_name: str):
        if cls_name not in runs:
            runs[cls_name] = run_chapter(stems[cls_name], cls_name, media, voice=voices[cls_name])
        return runs[cls_name]

    return get


@pytest.fixture()
def tiny_imdb(tmp_path) -> Path:
    """A small IMDB-shaped folder (train/test parquet) made on the spot."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = ["a wonderful film, i loved it", "great acting and a great story", "best movie of the year!"]
    bad = ["a terrible film, i hated it", "awful acting and a boring story", "worst movie of the year!"]
    for split in ("train", "test"):
        texts = (good + bad) * 20
        labels = ([1] * len(good) + [0] * len(bad)) * 20
        pq.write_table(pa.table({"text": texts, "label": labels}), tmp_path / f"{split}.parquet")
    return tmp_path
