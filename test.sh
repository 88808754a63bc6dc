#!/usr/bin/env bash
# Runs the whole test suite, installing what it needs first (see scripts/bootstrap.sh).
#   IMDB_DIR=../shared/data/imdb TIKTOKEN_RANKS_DIR=../shared/data/tiktoken ./test.sh [pytest args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m pytest "$@"
