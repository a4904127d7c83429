#!/usr/bin/env bash
# Builds and runs the whole test suite: installs missing Debian packages, then runs these
# stages, each under a time limit, and ends with one "N passed, N failed, N skipped" line:
#   1. every libFuzzer target briefly over its checked-in corpus (clang, ASan+UBSan);
#   2. a Debug build with AddressSanitizer + UndefinedBehaviorSanitizer: unit and integration
#      tests with ctest;
#   3. a ThreadSanitizer build: the unit tests, and the integration suite against the TSan
#      minewall binary (worker threads, web-log writer, reloads, leaf cache, origin pool);
#   4. the release binary (the one scripts/run.sh builds: optimised, tcmalloc) under the
#      integration suite.
# A stage that fails does not stop the later ones; the script exits 1 if any failed.
# Skipped tests are listed with their reason and counted, never counted as passes.
# Usage: scripts/test.sh   (MINEWALL_FUZZ_SECONDS=N to fuzz longer, default 10;
#                           MINEWALL_CLEAN_BUILD=1 for fresh build folders, the default in CI)
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test || exit 1
jobs=$(nproc)
fuzz_seconds=${MINEWALL_FUZZ_SECONDS:-10}
all_modules="config;proxy;policy;certs;weblog;identity;integration"

# Sanitizer options for every stage, fuzzing included: stop at the first finding, with a
# non-zero exit (the builds also use -fno-sanitize-recover=all).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp}
# ccache (when installed) shares objects between the build folders.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# A reused build folder keeps cached options (e.g. fewer test modules): CI starts clean, and
# every configure below names its options in full.
if [ "${CI:-}" = true ] || [ "${MINEWALL_CLEAN_BUILD:-0}" = 1 ]; then
  rm -rf build/fuzz build/test build/tsan build/release
fi
results=build/test-results
rm -rf "$results" && mkdir -p "$results"
failed_stages=()

# stage NAME SECONDS COMMAND...: runs COMMAND with a time limit, its output to the console and
# to $results/NAME.log.
stage() {
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit}s) =="
  local start=$SECONDS
  timeout --kill-after=30 "$limit" "$@" 2>&1 | tee "$results/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 124 ] && echo "!! $name: timed out after ${limit}s"
  echo "== $name: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)") in $((SECONDS - start))s =="
  [ "$rc" -eq 0 ] || failed_stages+=("$name")
  return "$rc"
}

# ctest_stage NAME SECONDS BUILD_DIR [ctest args]: ctest keeps every test's whole output in
# Testing/Temporary/LastTest.log; it is copied next to the stage log for the summary.
ctest_stage() {
  local name=$1 limit=$2 dir=$3
  shift 3
  stage "$name" "$limit" ctest --test-dir "$dir" --output-on-failure "$@"
  local rc=$?
  cp "$dir/Testing/Temporary/LastTest.log" "$results/$name.tests.log" 2>/dev/null
  return "$rc"
}

configure() {  # configure DIR OPTIONS...
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
}

# 1. Fuzz targets.
if stage fuzz-build 900 bash -c "$(declare -f configure); configure build/fuzz -DMINEWALL_FUZZ=ON \
      -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMINEWALL_FUZZ_SECONDS=$fuzz_seconds && cmake --build build/fuzz --target fuzz_all -j$jobs"; then
  ctest_stage fuzz 400 build/fuzz
fi

# 2. ASan + UBSan: unit and integration tests.
if stage asan-build 1500 bash -c "$(declare -f configure); configure build/test -DMINEWALL_SANITIZE=ON \
      -DCMAKE_BUILD_TYPE=Debug '-DMINEWALL_TEST_MODULES=$all_modules' && cmake --build build/test -j$jobs"; then
  ctest_stage asan-tests 1200 build/test -j2
fi

# 3. ThreadSanitizer: unit tests, then the integration suite (driver from the ASan build)
#    against the TSan binary.
if stage tsan-build 1500 bash -c "$(declare -f configure); configure build/tsan -DMINEWALL_TSAN=ON \
      -DCMAKE_BUILD_TYPE=Debug '-DMINEWALL_TEST_MODULES=config;proxy;policy;certs;weblog;identity' \
      && cmake --build build/tsan -j$jobs"; then
  ctest_stage tsan-unit 600 build/tsan -j2
  if [ -x build/test/tests/integration/integration_proxy ]; then
    MINEWALL_TEST_BINARY="$PWD/build/tsan/proxy/minewall" \
      stage tsan-integration 1200 build/test/tests/integration/integration_proxy
  fi
fi

# 4. The binary users run: optimised and linked with tcmalloc, as scripts/run.sh builds it.
if stage release-build 900 bash -c "$(declare -f configure); configure build/release \
      -DCMAKE_BUILD_TYPE=Release -DMINEWALL_BUILD_TESTS=OFF && cmake --build build/release --target minewall -j$jobs"; then
  if [ -x build/test/tests/integration/integration_proxy ]; then
    MINEWALL_TEST_BINARY="$PWD/build/release/proxy/minewall" \
      stage release-integration 900 build/test/tests/integration/integration_proxy
  fi
fi

scripts/test-summary.sh "$results" "${failed_stages[@]}"
