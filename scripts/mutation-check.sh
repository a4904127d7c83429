#!/usr/bin/env bash
# Breaks minewall on purpose, one behaviour at a time (scripts/mutations.txt), rebuilds a copy
# of the tree and shows the tests going red for each. On demand, not in CI (it rebuilds once per
# mutation). Usage: scripts/mutation-check.sh [--only ID[,ID...]] [--list]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
exec python3 scripts/mutation_check.py "$@"
