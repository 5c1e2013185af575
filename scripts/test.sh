#!/usr/bin/env bash
# The test command: sets up everything on a fresh machine, then runs the whole suite.
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k scorer).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
