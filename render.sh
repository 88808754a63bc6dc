#!/usr/bin/env bash
# Renders the explainer video: ./render.sh [-q l|m|h|k] [-j N] [--list] [--text TEXT] [--regenerate] [SCENE ...]
# Installs what it needs on first use (scripts/bootstrap.sh); runs from any folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case " $* " in
  *" --list "*) ;;  # listing needs no installation
  *) source "$ROOT/scripts/bootstrap.sh" ;;
esac
PY="$ROOT/.venv/bin/python"
[[ -x "$PY" ]] || PY="$(command -v python3)"
exec "$PY" "$ROOT/scripts/render.py" "$@"
