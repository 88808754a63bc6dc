"""scripts/ and bench/ are packages of the repository, run as modules: none of them edits sys.path,
and files are written through model/files.py, not through the asset store."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("scenes", "scripts", "model", "tests", "bench")


def sources() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_file_edits_sys_path():
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("insert", "append")
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "path"
                    and isinstance(node.value.value, ast.Name) and node.value.value.id == "sys"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"sys.path edited at {found}: run the file as a module (python -m scripts.x)"


def test_scripts_and_bench_are_packages():
    assert (ROOT / "scripts" / "__init__.py").is_file() and (ROOT / "bench" / "__init__.py").is_file()


def test_files_are_written_through_model_files_not_the_store():
    users = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("model.store", "store") \
                    and any(a.name.startswith("atomic_write") for a in node.names):
                users.append(str(path.relative_to(ROOT)))
    assert not users, f"import the file-writing helpers from model.files: {users}"
    store = ast.parse((ROOT / "model" / "store.py").read_text())
    assert not [n.name for n in store.body if isinstance(n, ast.FunctionDef) and n.name.startswith("atomic")]
