"""Render stamps: a hash of everything one chapter's pixels and sound depend on.

``render.sh`` renders a chapter again only when its key (:func:`input_key`) differs from
the one stamped by its last good render. Standard library only, so ``--list`` and a bad
flag work on a bare Python.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def manim_version() -> str:
    """The installed manim's version, or ``"not installed"``."""
    from importlib import metadata

    try:
        return metadata.version("manim")
    except metadata.PackageNotFoundError:
        return "not installed"


PACKAGES = ("scenes", "model", "scripts")  # the repository's own top-level packages


def _module_file(root: Path, dotted: str) -> Path | None:
    base = root.joinpath(*dotted.split("."))
    for f in (base.with_suffix(".py"), base / "__init__.py"):
        if f.is_file():
            return f
    return None


def imported_files(start: Path, root: Path) -> list[Path]:
    """Every repository file ``start`` imports, directly or through others (``start`` included).

    Read from the source with ``ast`` (imports inside functions count too), never by
    importing: the stamp of a chapter must not depend on running it.
    """
    import ast

    seen: dict[Path, None] = {}
    todo = [start]
    while todo:
        f = todo.pop()
        if f in seen or not f.is_file():
            continue
        seen[f] = None
        package = ".".join(f.relative_to(root).with_suffix("").parts[:-1] if f.name != "__init__.py"
                           else f.relative_to(root).parts[:-1])
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                up = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                mod = ".".join([*up, node.module] if node.module else up)
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            for name in names:
                if name.split(".")[0] not in PACKAGES:
                    continue
                parts = name.split(".")
                for k in range(1, len(parts) + 1):  # a module's packages run their __init__ first
                    found = _module_file(root, ".".join(parts[:k]))
                    if found:
                        todo.append(found)
    return sorted(seen)


def input_files(entry, root: Path) -> list[Path]:
    """The source files a chapter's pixels may depend on.

    Its own file and every repository module it imports (the scene kit, the speed-ups,
    ``model.store``...), the registry, the source files it shows as code, and the locked
    package versions. Not the other chapters, and not the training code no chapter imports.
    """
    return [*imported_files(root / "scenes" / f"{entry.stem}.py", root), root / "scenes" / "chapters.py",
            *[root / f for f in entry.shows], root / "requirements.lock"]


def asset_digests(entry, assets: Path) -> str:
    """The sha256 of each asset the chapter reads, from the manifest (a missing one says so)."""
    try:
        manifest = json.loads((assets / "manifest.json").read_text())
    except (OSError, ValueError):
        return "<no manifest>"
    files = manifest.get("files", {})
    out = []
    for name in entry.reads:
        fname = manifest.get("assets", {}).get(name)
        out.append(f"{name}={files.get(fname, {}).get('sha256') if isinstance(fname, str) else None}")
    return ";".join(out)


def input_key(entry, quality: str, assets: Path, cfg: Path, root: Path | None = None,
              voice: Path | None = None) -> str:
    """A hash of everything a chapter's pixels and sound depend on.

    Parameters
    ----------
    entry
        The chapter's entry in ``scenes/chapters.py``.
    quality
        The quality flag (``l``, ``m``, ``h`` or ``k``).
    assets
        The assets folder; its manifest holds every asset file's sha256.
    cfg
        The manim config file the chapter renders with (encoder settings included).
    root
        The repository (default: this one).
    voice
        The chapter's voice manifest (``scripts/voice.py``): which voice, and each line's
        spoken text and length, which set the beats' lengths. None for a silent chapter.

    Returns
    -------
    str
        A sha256 hex digest.
    """
    root = root or ROOT
    h = hashlib.sha256()
    for f in [*input_files(entry, root), cfg]:
        name = f.relative_to(root) if f.is_relative_to(root) else Path(f.name)
        data = f.read_bytes() if f.is_file() else b"<missing>"
        h.update(f"{name.as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    h.update(f"assets {asset_digests(entry, assets)}|manim {manim_version()}|{entry.cls}|{quality}".encode())
    h.update(b"voice\0" + (voice.read_bytes() if voice else b"<silent>"))
    return h.hexdigest()
