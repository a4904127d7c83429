#!/usr/bin/env bash
# Builds minewall (release) and runs it: with no arguments on its embedded default
# configuration (explicit proxy on 127.0.0.1:3128). Arguments are passed to `minewall run`,
# e.g. scripts/run.sh --config config/minewall.yaml --listen 0.0.0.0:3128
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DMINEWALL_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target minewall -j"$(nproc)"
exec build/release/proxy/minewall run "$@"
