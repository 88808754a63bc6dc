"""The asset store: pickles that scenes can load safely. No torch in here.

Layout of an assets folder::

    assets/
      manifest.json      schema_version, config, seed, which file holds each asset, and every file's sha256
      <name>.<hash>.pkl  one dict per chapter family, holding only builtins and numpy arrays

Writing is atomic (temporary file, then rename); files are named by their
content and the manifest is written last, so a killed export leaves the
previous good set in place.

Reading checks the schema version and the file's hash *before* unpickling, then
unpickles with an allow-list (:data:`ALLOWED_GLOBALS`) so that a crafted pickle
cannot name ``os.system`` or any other callable.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import pickletools
from pathlib import Path

import numpy as np

from .errors import AssetError
from .files import atomic_write_bytes

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
PICKLE_PROTOCOL = 4

# The only globals an asset pickle may name: numpy's array and scalar rebuilders.
# Builtin containers (dict, list, tuple, set, str, int, float, bool, None, bytes)
# have pickle opcodes of their own and need no global at all.
ALLOWED_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
})


def default_dir() -> Path:
    """``$ATTENTION_ASSETS`` if set, else the repository's ``assets/`` folder."""
    env = os.environ.get("ATTENTION_ASSETS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "assets"


def regenerate_hint(folder: Path) -> str:
    return (f"Regenerate with: IMDB_DIR=/path/to/imdb .venv/bin/python -m model export --out {folder} "
            "(or ./render.sh --regenerate)")


# --- writing ---------------------------------------------------------------------------

def dumps(obj) -> bytes:
    """Deterministic pickle bytes: protocol 4, with unused memo entries optimised away."""
    _check_plain(obj, "asset")
    return pickletools.optimize(pickle.dumps(obj, protocol=PICKLE_PROTOCOL))


def _check_plain(obj, where: str) -> None:
    """Refuse anything but builtins and numpy arrays/scalars (torch tensors, say)."""
    if obj is None or isinstance(obj, (bool, int, float, str, bytes, np.generic)):
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError(f"{where}: object arrays are not allowed in assets")
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_plain(k, where)
            _check_plain(v, f"{where}.{k}")
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _check_plain(v, f"{where}[{i}]")
        return
    raise TypeError(f"{where}: {type(obj).__module__}.{type(obj).__name__} is not allowed in assets")


def write_assets(folder: str | os.PathLike, assets: dict[str, dict], meta: dict) -> dict:
    """Write each ``name -> dict`` as ``name.<hash>.pkl``, then the manifest; returns the manifest.

    Files are named by their content, so a new export never overwrites a file the
    current manifest still points to. The manifest is replaced last, in one rename,
    and only then are the files it no longer names removed. Killed at any moment,
    the folder holds either the old set or the new one, each complete.
    """
    folder = Path(folder)
    files, names = {}, {}
    for name in sorted(assets):
        data = dumps(assets[name])
        digest = hashlib.sha256(data).hexdigest()
        fname = f"{name}.{digest[:12]}.pkl"
        if not (folder / fname).is_file() or hashlib.sha256((folder / fname).read_bytes()).hexdigest() != digest:
            atomic_write_bytes(folder / fname, data)
        files[fname] = {"sha256": digest, "bytes": len(data)}
        names[name] = fname
    manifest = {"schema_version": SCHEMA_VERSION, **meta, "assets": names, "files": files}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(folder / MANIFEST, text.encode())
    for old in folder.glob("*.pkl"):
        if old.name not in files:
            old.unlink(missing_ok=True)
    _CACHE.clear()
    return manifest


# --- reading ---------------------------------------------------------------------------

class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise AssetError(f"refused: the pickle names {module}.{name}, which is not on the asset allow-list")
        return super().find_class(module, name)


def safe_loads(data: bytes):
    """Unpickle bytes that may only name the globals in :data:`ALLOWED_GLOBALS`."""
    try:
        return _AllowListUnpickler(io.BytesIO(data)).load()
    except AssetError:
        raise
    except Exception as exc:
        raise AssetError(f"unreadable pickle: {type(exc).__name__}: {exc}") from None


_CACHE: dict[tuple[str, str], object] = {}


def read_manifest(folder: str | os.PathLike | None = None) -> dict:
    folder = Path(folder) if folder else default_dir()
    path = folder / MANIFEST
    if not path.is_file():
        raise AssetError(f"no {MANIFEST} in {folder}. {regenerate_hint(folder)}")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise AssetError(f"{path} is not valid JSON ({exc}). {regenerate_hint(folder)}") from None
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if version != SCHEMA_VERSION:
        raise AssetError(f"{path} has schema version {version!r}, this code reads version "
                         f"{SCHEMA_VERSION}. {regenerate_hint(folder)}")
    return manifest


def load(name: str, folder: str | os.PathLike | None = None, needed_by: str = "a chapter") -> dict:
    """Load asset ``name`` (without ``.pkl``) after checking the manifest and its hash.

    Results are cached per folder, so scenes may call this freely. ``needed_by`` names
    who wanted it, in the error message when it is missing or damaged.
    """
    folder = Path(folder) if folder else default_dir()
    manifest = read_manifest(folder)
    needed = needed_by
    fname = manifest.get("assets", {}).get(name)
    entry = manifest.get("files", {}).get(fname) if isinstance(fname, str) else None
    path = folder / (fname or f"{name}.pkl")
    if entry is None or "/" in fname or not path.is_file():
        raise AssetError(f"missing asset '{name}' in {folder} (needed by {needed}). {regenerate_hint(folder)}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise AssetError(f"{path} does not match the sha256 in {MANIFEST}: it was edited or truncated "
                         f"(needed by {needed}). {regenerate_hint(folder)}")
    key = (str(folder.resolve()), fname)
    if key not in _CACHE:
        _CACHE[key] = safe_loads(data)
    return _CACHE[key]
