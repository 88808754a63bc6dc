"""``render.sh --text``: assets for a user's own review, in a folder of their own.

The committed ``assets/`` are never touched: the text's assets go to
``<media>/text/<hash>/assets`` (``<hash>``: the first 10 hex digits of the text's
sha256), and its video to ``<media>/text/<hash>/review-<hash>-<quality>.mp4``.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from model.errors import UserError


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def prepare_text(text: str, root: Path, media_root: Path) -> tuple[Path, Path, str]:
    """Export the text's assets (unless already there); returns (assets dir, media dir, video name)."""
    h = text_hash(text)
    media = media_root / "text" / h
    assets = media / "assets"
    if not (assets / "manifest.json").is_file():
        print(f"[text] exporting assets for the text into {assets}", file=sys.stderr)
        proc = subprocess.run([sys.executable, "-m", "model", "export", "--text", text, "--out", str(assets)],
                              cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
            raise UserError(lines[-1].removeprefix("error: ") if lines else f"export failed ({proc.returncode})")
    return assets, media, f"review-{h}"
