#!/usr/bin/env bash
# Adds up what scripts/test.sh ran: doctest's closing line of every test executable, ctest's
# count for the fuzz targets, and the tests skipped at run time (which doctest counted as
# passes), and prints every skipped test with its reason and one closing line
# "N passed, N failed, N skipped". A failed stage that counted no failing test (a build error,
# a crash before doctest's summary, a time-out) counts as one failure.
# Usage: scripts/test-summary.sh RESULTS_DIR [FAILED_STAGE...]; exits 1 when anything failed.
set -uo pipefail
results=$1
shift
declare -A stage_failed=()
for s in "$@"; do stage_failed[$s]=1; done

passed=0 failed=0 skipped=0
skip_lines=()
for log in "$results"/*.log; do
  case "$log" in *.tests.log) continue ;; esac
  name=$(basename "$log" .log)
  source_log=$log
  [ -f "$results/$name.tests.log" ] && source_log="$results/$name.tests.log"
  # Strip colour codes, then read the counts.
  read -r p f s rt <<<"$(sed 's/\x1b\[[0-9;]*m//g' "$source_log" | awk '
    /^\[doctest\] test cases:/ {
      line = $0; gsub(/ /, "", line); split(line, part, "|")
      sub(/.*:/, "", part[1]); sub(/passed/, "", part[2]); sub(/failed/, "", part[3]); sub(/skipped/, "", part[4])
      dp += part[2]; df += part[3]; ds += part[4]; doctest = 1 }
    /^\[minewall\] run-time skips:/ { rt += $4 }
    /tests passed, [0-9]+ tests? failed out of [0-9]+/ {
      for (i = 1; i <= NF; i++) if ($i == "out") total = $(i + 2)
      for (i = 1; i <= NF; i++) if ($i == "failed") cf = $(i - 2)
      ctest = 1 }
    END {
      if (doctest) print dp + 0, df + 0, ds + 0, rt + 0
      else if (ctest) print total - cf, cf + 0, 0, 0
      else print 0, 0, 0, 0 }')"
  p=$((p - rt)); s=$((s + rt))
  if [ -n "${stage_failed[$name]:-}" ] && [ "$f" -eq 0 ]; then
    echo "stage $name failed without a failing test count: counted as one failure"
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  while IFS= read -r line; do skip_lines+=("$name: ${line#skipped: }"); done \
    < <(grep -a '^skipped: ' "$source_log" || true)
done

echo "== summary =="
[ "$#" -gt 0 ] && echo "failed stages: $*"
if [ "${#skip_lines[@]}" -gt 0 ]; then
  echo "skipped tests:"
  printf '  %s\n' "${skip_lines[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$#" -eq 0 ]
