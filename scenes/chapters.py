"""The one chapter registry: which chapters exist, in story order, and what each one reads.

``render.sh`` (its ``--list``, the review chapters of ``--text``, each chapter's render
stamp), the chapter classes (their ``NUMBER`` and ``TITLE``), the asset errors and the
tests all read this list. Standard library only, so ``render.sh --list`` works on a bare
Python.

Each entry gives:

- ``number``, ``cls`` (the scene class), ``title`` and ``stem`` (the file ``scenes/<stem>.py``);
- ``reads``: the assets (``assets/<name>.pkl``) the chapter loads; ``ChapterScene.asset``
  refuses any other, so this list is what the chapter's stamp covers;
- ``review``: whether the chapter shows the example review, so ``--text`` renders it for
  a review the user types;
- ``shows``: the project's own source files the chapter puts on screen as code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Chapter:
    number: int
    cls: str
    title: str
    stem: str
    reads: tuple[str, ...]
    review: bool = False
    shows: tuple[str, ...] = ()

    @property
    def file(self) -> Path:
        return HERE / f"{self.stem}.py"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(1, "Ch01Motivation", "Why attention", "ch01_motivation", ("dataset", "classify", "training")),
    Chapter(2, "Ch02Dataset", "The IMDB dataset", "ch02_dataset", ("dataset", "tokens")),
    Chapter(3, "Ch03Tokens", "Tokens and the vocabulary", "ch03_tokens", ("dataset", "tokens"), review=True),
    Chapter(4, "Ch04Padding", "Ids and padding", "ch04_padding", ("tokens",), review=True),
    Chapter(5, "Ch05Embedding", "Token embedding", "ch05_embedding", ("embedding", "training"), review=True),
    Chapter(6, "Ch06SelfAttention", "Self-attention", "ch06_self_attention", ("attention",), review=True),
    Chapter(7, "Ch07Permutation", "The permutation problem", "ch07_permutation", ("attention",), review=True),
    Chapter(8, "Ch08Positions", "Positional embedding", "ch08_positions", ("attention", "tokens"), review=True,
            shows=("model/transformer.py",)),
    Chapter(9, "Ch09QueryKeyValue", "Queries, keys and values", "ch09_qkv", ("block",), review=True),
    Chapter(10, "Ch10MultiHead", "Multi-head attention", "ch10_multihead", ("block", "model"), review=True,
            shows=("model/attention.py",)),
    Chapter(11, "Ch11Block", "The transformer block", "ch11_block", ("block",), review=True),
    Chapter(12, "Ch12Classification", "Classification", "ch12_classification", ("dataset", "tokens", "classify"),
            review=True),
    Chapter(13, "Ch13Training", "Training", "ch13_training", ("training",)),
    Chapter(14, "Ch14Recap", "Recap", "ch14_recap", ("dataset", "tokens", "classify", "model")),
)
BY_CLASS = {c.cls: c for c in CHAPTERS}
REVIEW_CHAPTERS = [c.cls for c in CHAPTERS if c.review]


def needed_by(asset: str) -> str:
    """The chapters that read ``asset``, for error messages ("Ch05Embedding, Ch13Training")."""
    return ", ".join(c.cls for c in CHAPTERS if asset in c.reads) or "no chapter"


def scene_class(cls: str) -> type:
    """The scene class ``cls`` ("Ch07Permutation"), imported from its chapter file.

    The one way into a chapter module: nothing imports one by name (tests/test_layout_rules.py),
    so no chapter becomes a library for another file.

    Raises
    ------
    KeyError
        When the registry has no chapter of that class.
    """
    import importlib

    return getattr(importlib.import_module(f"scenes.{BY_CLASS[cls].stem}"), cls)


def available() -> list[Chapter]:
    """The chapters whose scene file exists."""
    return [c for c in CHAPTERS if c.file.is_file()]


if __name__ == "__main__":
    for c in available():
        print(f"{c.cls}\t{c.stem}\t{c.title}")
