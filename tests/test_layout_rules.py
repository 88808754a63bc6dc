"""Rules of the repository's layout, read from the source with ``ast`` (nothing is imported).

* No chapter is a library: no file, tests included, imports a chapter module. A scene class is
  reached through the registry, ``scenes.chapters.scene_class("ChNN...")`` (its ``importlib``
  call is the one way in); what chapters share lives in ``scenes/common``, and the rules that
  choose what a chapter shows live in ``model/choices.py``, where the export applies them.
* One helper per job: no two chapters define a function or class of the same name.
* No source file is longer than :data:`MAX_LINES` lines, except those in :data:`TOO_LONG`.
"""
from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "media", ".git", "__pycache__", "node_modules", ".pytest_cache"}
CHAPTER = re.compile(r"^ch\d\d_\w+$")  # a chapter module's name: scenes/chNN_<name>.py
MAX_LINES = 300
SIZED = ("scenes", "scripts", "model", "tests", "bench")
# Files over MAX_LINES today, each with its reason; the test fails once one of them is short
# enough, so that it leaves this list.
TOO_LONG = {
    "model/train.py": "not part of the scene kit; to be split in its own change",
    "tests/test_scenes_attention.py": "chapter tests, not kit tests; to be split in their own change",
    "tests/test_scenes_data.py": "chapter tests, not kit tests; to be split in their own change",
}


def python_files() -> list[Path]:
    """Every .py file of the repository, outside virtual environments, media and caches."""
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def package_of(path: Path) -> list[str]:
    """The dotted package a file is in, for its relative imports (``scenes/common/x.py``: scenes.common)."""
    return list(path.relative_to(ROOT).parent.parts)


def chapter_imports(path: Path, module: ast.Module | None = None) -> list[tuple[int, str, list[str] | None]]:
    """Every import of a chapter module in ``path`` (parsed, unless ``module`` is given): (line, chapter name,
    names imported, or None for the module itself)."""
    found = []
    for node in ast.walk(module or tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if len(parts) >= 2 and parts[0] == "scenes" and CHAPTER.match(parts[1]):
                    found.append((node.lineno, parts[1], None))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package_of(path)[: len(package_of(path)) - node.level + 1]
                parts = base + (node.module.split(".") if node.module else [])
            else:
                parts = node.module.split(".")
            names = [a.name for a in node.names]
            if len(parts) >= 2 and parts[0] == "scenes" and CHAPTER.match(parts[1]):
                found.append((node.lineno, parts[1], names))
            elif parts == ["scenes"]:  # from scenes import ch03_tokens
                found += [(node.lineno, n, None) for n in names if CHAPTER.match(n)]
    return found


def chapter_files() -> list[Path]:
    return sorted(p for p in (ROOT / "scenes").glob("ch*.py") if CHAPTER.match(p.stem))


def test_the_rules_see_every_chapter_and_every_kind_of_import():
    assert len(chapter_files()) >= 14
    src = ("import scenes.ch03_tokens\nfrom scenes.ch07_permutation import telling_digits\n"
           "from scenes import ch09_qkv, chapters\nfrom ..ch01_motivation import spread\nfrom . import text\n")
    probe = ROOT / "scenes" / "common" / "probe.py"  # as if it stood in the kit (it is never written)
    assert [(c, n) for _, c, n in chapter_imports(probe, ast.parse(src))] == [
        ("ch03_tokens", None), ("ch07_permutation", ["telling_digits"]), ("ch09_qkv", None),
        ("ch01_motivation", ["spread"])]


def test_no_file_imports_a_chapter():
    bad = [f"{rel(path)}:{line} imports {chapter}: use scenes.chapters.scene_class for its scene class"
           for path in python_files() for line, chapter, _ in chapter_imports(path)]
    assert not bad, "\n".join(bad)


def test_no_two_chapters_define_the_same_helper():
    seen: dict[str, str] = {}
    twice = []
    for path in chapter_files():
        for node in tree(path).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name in seen:
                    twice.append(f"{node.name}: {seen[node.name]} and {path.name} (one helper in scenes/common)")
                seen.setdefault(node.name, path.name)
    assert not twice, "\n".join(twice)


def test_the_kit_imports_no_chapter_and_chapters_only_the_kit():
    """Chapters reach the kit through ``scenes.common`` itself, not through its modules one by one."""
    bad = []
    for path in chapter_files():
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scenes."):
                if node.module not in ("scenes.common",):
                    bad.append(f"{rel(path)}:{node.lineno} imports from {node.module}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("top", SIZED)
def test_no_file_is_too_long(top):
    files = [p for p in python_files() if p.parts[len(ROOT.parts)] == top]
    lengths = {rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    too_long = [f"{f}: {n} lines" for f, n in lengths.items() if n > MAX_LINES and f not in TOO_LONG]
    assert not too_long, f"over {MAX_LINES} lines (split by concept):\n" + "\n".join(too_long)
    fixed = [f for f in TOO_LONG if f.startswith(top + "/") and lengths.get(f, 0) <= MAX_LINES]
    assert not fixed, f"short enough now (or gone): take them off TOO_LONG: {fixed}"
