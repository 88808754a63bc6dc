"""``render.sh --text``: assets for a user's own review, in a folder of their own.

The committed ``assets/`` are never touched: the text's assets go to
``<media>/text/<hash>/assets`` (``<hash>``: the first 10 hex digits of the text's
sha256), and its video to ``<media>/text/<hash>/review-<hash>-<quality>.mp4``
(a subset of the text chapters: ``<media>/text/<hash>/subsets/``).

The assets are exported again when what they were made from changed: the
checkpoint, the export code (``model/*.py``), the committed assets the text export
copies its dataset facts from, or the text itself. What they were made from is
stored beside them, in ``<media>/text/<hash>/export-key.json``.

The text reaches ``python -m model export --text -`` on its standard input, never
on its command line, so a review of any length fits (``--text -`` reads it from
render.sh's own standard input).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from model.errors import UserError

KEY_FILE = "export-key.json"


def text_hash(text: str) -> str:
    """The first 10 hex digits of the text's sha256: the name of its folder."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def read_review(arg: str) -> str:
    """The review ``--text`` names: the argument itself, or standard input for ``-``."""
    if arg != "-":
        return arg
    if sys.stdin is None:
        raise UserError("--text - reads the review from standard input, but there is none")
    if sys.stdin.isatty():
        print("[text] reading the review from standard input; end it with Ctrl-D", file=sys.stderr)
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogateescape")
    return data.decode("utf-8", "surrogateescape")


def checkpoint_path(root: Path) -> Path:
    """The shipped checkpoint (``model.checkpoint.DEFAULT_CHECKPOINT``, without importing torch)."""
    return root / "checkpoints" / "imdb-transformer.pt"


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, or ``"missing"``."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def code_sha256(root: Path) -> str:
    """One sha256 over the export code: every ``model/*.py``, with its name."""
    h = hashlib.sha256()
    for f in sorted((root / "model").glob("*.py")):
        data = f.read_bytes()
        h.update(f"{f.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def export_key(text: str, root: Path, committed: Path) -> dict:
    """Everything the text's assets are made from, hashed.

    Parameters
    ----------
    text
        The review.
    root
        The repository (its ``model/`` and ``checkpoints/``).
    committed
        The assets folder the text export takes its dataset facts from.

    Returns
    -------
    dict
        sha256 of the text, the checkpoint, the export code and the committed manifest.
    """
    return {"text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "checkpoint_sha256": file_sha256(checkpoint_path(root)),
            "export_code_sha256": code_sha256(root),
            "committed_manifest_sha256": file_sha256(committed / "manifest.json")}


def is_current(assets: Path, key_file: Path, key: dict) -> bool:
    """Whether ``assets`` were exported from exactly ``key``'s inputs.

    The manifest's own ``checkpoint_sha256`` must match, and so must the stored key.
    """
    try:
        manifest = json.loads((assets / "manifest.json").read_text())
        stored = json.loads(key_file.read_text())
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and manifest.get("checkpoint_sha256") == key["checkpoint_sha256"]
            and stored == key)


def run_export(text: str, root: Path, out: Path, committed: Path) -> None:
    """``python -m model export --text - --out OUT``, with the text on its standard input.

    Raises
    ------
    UserError
        With the export's own last error line, if it fails.
    """
    cmd = [sys.executable, "-m", "model", "export", "--text", "-", "--out", str(out),
           "--checkpoint", str(checkpoint_path(root))]
    env = dict(os.environ, ATTENTION_ASSETS=str(committed), PYTHONIOENCODING="utf-8:surrogateescape")
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True,
                          input=text.encode("utf-8", "surrogateescape"))
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        lines = [ln for ln in err.strip().splitlines() if ln.strip()]
        raise UserError(lines[-1].removeprefix("error: ") if lines else f"export failed ({proc.returncode})")


def prepare_text(text: str, root: Path, media_root: Path, committed: Path) -> tuple[Path, Path, str]:
    """Export the text's assets unless current ones are there.

    Parameters
    ----------
    text
        The review.
    root
        The repository.
    media_root
        The media folder; the text gets ``<media_root>/text/<hash>/``.
    committed
        The assets folder the export copies the dataset facts from.

    Returns
    -------
    tuple
        (the text's assets folder, its media folder, the video's name).
    """
    from model.files import atomic_write_bytes

    h = text_hash(text)
    media = media_root / "text" / h
    assets, key_file = media / "assets", media / KEY_FILE
    key = export_key(text, root, committed)
    if not is_current(assets, key_file, key):
        why = "exporting" if not (assets / "manifest.json").is_file() else "re-exporting (its inputs changed)"
        print(f"[text] {why} assets for the text into {assets}", file=sys.stderr)
        run_export(text, root, assets, committed)
        atomic_write_bytes(key_file, (json.dumps(key, indent=1, sort_keys=True) + "\n").encode())
    return assets, media, f"review-{h}"
