#!/usr/bin/env bash
# Renders the explainer video:
#   ./render.sh [-q l|m|h|k] [-j N] [--list] [--force] [--preset P] [--crf N] [--voice joe|none] [--text TEXT|-] [--regenerate] [--data-dir DIR] [SCENE ...]
# ./render.sh --help explains each option. Installs what it needs on first use (scripts/bootstrap.sh);
# runs from any folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$ROOT/.venv/bin/python"
[[ -x "$PY" ]] || PY="$(command -v python3 || true)"
# The flags are checked first, with any Python 3: --list, --help and a bad flag need no installation.
# With RENDER_PREFLIGHT set, render.py exits 100 when the flags are fine and there is something to render
# (it reads no standard input then, so --text - still gets it below).
# scripts/ is a package of the repository: run as a module, with the repository first on the path
# (PYTHONSAFEPATH keeps the current folder off it, so a scripts/ folder there cannot shadow ours).
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONSAFEPATH=1
if [[ -n "$PY" ]]; then
  code=0
  RENDER_PREFLIGHT=1 "$PY" -m scripts.render "$@" || code=$?
  [[ $code -eq 100 ]] || exit "$code"
fi
source "$ROOT/scripts/bootstrap.sh"
exec "$ROOT/.venv/bin/python" -m scripts.render "$@"
