#!/usr/bin/env bash
# Builds and runs the whole test suite: installs missing Debian packages, runs each libFuzzer
# target briefly over its checked-in corpus (clang build), then builds with AddressSanitizer +
# UndefinedBehaviorSanitizer and runs the unit and integration tests with ctest, then runs the
# integration tests again against the release binary (the one scripts/run.sh builds).
# Usage: scripts/test.sh            (MINEWALL_FUZZ_SECONDS=N to fuzz longer, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
jobs=$(nproc)
fuzz_seconds=${MINEWALL_FUZZ_SECONDS:-10}

echo "== fuzz targets (clang, ${fuzz_seconds}s each) =="
cmake -S . -B build/fuzz -G Ninja -DMINEWALL_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINEWALL_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build build/fuzz --target fuzz_all -j"$jobs"
(cd build/fuzz && ctest --output-on-failure)

echo "== unit and integration tests (ASan + UBSan) =="
cmake -S . -B build/test -G Ninja -DMINEWALL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build/test -j"$jobs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd build/test && ctest --output-on-failure -j2)

# The binary users run is not the sanitizer build: it is optimised and linked with tcmalloc.
# Build it as scripts/run.sh does and run the integration suite (the test driver stays the
# sanitizer build) against it.
echo "== integration tests against the release binary =="
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DMINEWALL_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target minewall -j"$jobs"
MINEWALL_TEST_BINARY="$PWD/build/release/proxy/minewall" build/test/tests/integration/integration_proxy
