#!/usr/bin/env bash
# Installs everything the project needs, once: system packages through apt-get and a
# project .venv from requirements.lock. Sourced by render.sh and test.sh.
# A stamp keyed on the hash of requirements.lock and this script makes a second run
# take well under a second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-stamp"
KEY="$(cat "$ROOT/requirements.lock" "$ROOT/requirements.txt" "$ROOT/scripts/bootstrap.sh" | sha256sum | cut -c1-16)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" && -x "$VENV/bin/python" ]]; then
  return 0 2>/dev/null || exit 0
fi

say() { printf '[setup] %s\n' "$*" >&2; }

# --- system packages ------------------------------------------------------------------
APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config texlive-latex-extra dvisvgm)
# apt_install PKG...: as root, or through sudo (asking for a password only on a terminal).
apt_install() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then sudo=(sudo); else
      say "missing system packages: $*"
      say "install them as root, then run this again:"
      say "  apt-get update && apt-get install -y --no-install-recommends $*"
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    say "no apt-get here; install the equivalents of: $*"; exit 1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]} (LaTeX is about 380 MB, a few minutes)"
  apt_install "${missing[@]}"
fi

# --- Python packages ------------------------------------------------------------------
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; raise SystemExit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "Python 3.11 or newer is needed (found: $("$PY" --version 2>&1)); set PYTHON=/path/to/python3.11"; exit 1
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV"
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    # Debian's own Python keeps venv (ensurepip) in a package of its own: python3.N-venv.
    rm -rf "$VENV"
    minor="$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    say "$PY -m venv failed; installing python$minor-venv"
    apt_install "python$minor-venv"
    "$PY" -m venv "$VENV" || { say "python -m venv still fails: install python$minor-venv by hand"; exit 1; }
  fi
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
# torch first, as a CPU build: PyPI's Linux wheel would pull a 3 GB CUDA stack.
TORCH="$(grep -E '^torch==' "$ROOT/requirements.lock" | cut -d= -f3)"
if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(not torch.__version__.startswith('$TORCH'))" 2>/dev/null; then
  say "installing torch $TORCH (CPU build)"
  "${PIP[@]}" install "torch==$TORCH+cpu" 2>/dev/null \
    || "${PIP[@]}" install "torch==$TORCH" --index-url https://download.pytorch.org/whl/cpu
fi
say "installing Python packages from requirements.lock"
"${PIP[@]}" install -r "$ROOT/requirements.txt" -c <(grep -v '^torch==' "$ROOT/requirements.lock")
echo "$KEY" > "$STAMP"
say "ready"
