"""What render.sh checks before anything renders: the system tools, and every asset file."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scenes.chapters import needed_by

TEX_HINT = "apt-get install --no-install-recommends texlive-latex-extra dvisvgm"


def latex_class_problem(name: str = "standalone.cls") -> str | None:
    """Why LaTeX cannot find the document class ``name``, or None if it can."""
    kpsewhich = shutil.which("kpsewhich")
    if not kpsewhich:
        return f"kpsewhich not found, so the LaTeX class {name} cannot be looked up: {TEX_HINT}"
    try:
        found = subprocess.run([kpsewhich, name], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if not found:
        return f"LaTeX class {name} not found (kpsewhich {name} finds nothing): {TEX_HINT}"
    return None


def check_environment() -> list[str]:
    """What is missing for rendering, each with how to install it."""
    problems = [f"{tool} not found: {TEX_HINT}" for tool in ("latex", "dvisvgm") if not shutil.which(tool)]
    if shutil.which("latex"):  # without LaTeX at all, the line above says what to install
        problems += [p for p in [latex_class_problem()] if p]
    for module, pkg in (("cairo", "libcairo2-dev"), ("manimpango", "libpango1.0-dev")):
        try:
            __import__(module)
        except Exception as exc:
            problems.append(f"python module {module} does not load ({exc}): apt-get install {pkg} pkg-config, "
                            "then delete .venv and run again")
    return problems


def check_assets(folder: Path) -> None:
    """Load every asset the manifest lists, so a damaged one stops the render before manim starts.

    Raises
    ------
    model.errors.AssetError
        For a missing manifest, a missing, truncated or tampered file, or a refused pickle.
    """
    from model import store

    manifest = store.read_manifest(folder)
    names = manifest.get("assets")
    if not isinstance(names, dict) or not names:
        raise store.AssetError(f"{folder / store.MANIFEST} lists no assets. {store.regenerate_hint(folder)}")
    for name in sorted(names):
        try:
            store.load(name, folder, needed_by=needed_by(name))
        except OSError as exc:
            raise store.AssetError(f"cannot read asset '{name}' in {folder} ({exc}). "
                                   f"{store.regenerate_hint(folder)}") from None
