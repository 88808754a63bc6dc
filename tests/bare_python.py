"""``render.sh``'s entry point under ``python -S``: no site-packages, as on a fresh machine."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bare(*args, **kw) -> subprocess.CompletedProcess:
    """``python -S -m scripts.render ARGS`` from ``/``, with only the repository on the path."""
    return subprocess.run([sys.executable, "-S", "-m", "scripts.render", *args], capture_output=True, text=True,
                          timeout=60, cwd="/", env={**kw.pop("env", {}), "PYTHONPATH": str(ROOT)}, **kw)
