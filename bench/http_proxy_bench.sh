#!/usr/bin/env bash
# Plain-HTTP forward-proxy benchmark, loopback only: a 1 KiB GET served by nginx, fetched with
# wrk (a) directly, (b) through Squid, (c) through minewall; keep-alive and
# new-connection-per-request; then 1,000 concurrent keep-alive clients through minewall for
# peak memory; then minewall variants, keep-alive, interleaved: the embedded default policy vs
# an empty policy (issue 4), and web logging to a file vs no web log (issue 5).
# Everything it starts lives in one temp dir and is stopped on exit.
#
# Usage: bench/http_proxy_bench.sh            (about 6 minutes with the defaults; VARIANTS=0: 2)
# Environment (all optional):
#   DURATION=10s       length of each measured wrk run (wrk syntax: 10s, 1m)
#   WARMUP=2s          unmeasured wrk run against each target before its measured run
#   THREADS=2 CONNS=50 wrk threads and connections for the throughput runs
#   MEM_CONNS=1000     connections for the memory check (ulimit -n is raised to fit)
#   BODY_BYTES=1024    size of the file the origin serves (the targets are about 1 KiB)
#   MINEWALL_WORKERS   minewall --workers (default: nproc)
#   ORIGIN_WORKERS=1   nginx worker_processes (1 keeps the origin from competing for both cores)
#   MINEWALL_CONFIG    minewall --config FILE for the main comparison (default: the embedded
#                      defaults, config/minewall.yaml)
#   MINEWALL_BIN       prebuilt binary; default <repo>/build/release/proxy/minewall, built if absent
#   MINEWALL_REV       what that binary was built from, for the summary (default: its checkout)
#   VARIANTS=1         0 skips the policy/web-log variants
#   VARIANT_REPEATS=3  measured keep-alive runs per variant (interleaved; medians are compared)
#   VARIANT_POOL_IDLE=256  upstream.pool_max_idle_per_host of the variant instances (the old
#                      default 8 made origin connections churn under -c50, which adds noise
#                      unrelated to policy or logging; see RESULTS.md; shipped default is 64
#                      since 60e0567, so VARIANT_POOL_IDLE=64 measures the shipped setting)
#   SKIP_INSTALL=1     do not run scripts/install-deps.sh bench
#   KEEP_TMP=1         keep the temp dir (configs, logs) for inspection
#   RESULTS_FILE=path  also write the summary table there
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/bench_lib.sh
. "$repo/bench/bench_lib.sh"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-50}"
MEM_CONNS="${MEM_CONNS:-1000}"
BODY_BYTES="${BODY_BYTES:-1024}"
MINEWALL_WORKERS="${MINEWALL_WORKERS:-$(nproc)}"
ORIGIN_WORKERS="${ORIGIN_WORKERS:-1}"
MINEWALL_BIN="${MINEWALL_BIN:-$repo/build/release/proxy/minewall}"
VARIANTS="${VARIANTS:-1}"
VARIANT_REPEATS="${VARIANT_REPEATS:-3}"
VARIANT_POOL_IDLE="${VARIANT_POOL_IDLE:-256}"

bench_require_tools nginx squid wrk curl ss pgrep getconf
bench_build_minewall

# 1,000 client sockets plus as many upstream sockets, in wrk and in the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need_fds=$((MEM_CONNS * 2 + 256))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fds" ] ||
  die "ulimit -n is $(ulimit -n), need >= $need_fds for MEM_CONNS=$MEM_CONNS"

bench_make_tmp
origin_port="$(free_port "${ORIGIN_PORT:-18080}")"
squid_port="$(free_port "${SQUID_PORT:-13128}")"
minewall_port="$(free_port "${MINEWALL_PORT:-$((squid_port + 1))}")"

declare -A PROXY_PID # target -> pid (for CPU and peak RSS)
declare -A WEBLOG    # minewall target -> its web.log (truncated per run, lines counted)

# Succeeds when a GET of the file via proxy $1 ("" = direct) returns 200.
http_get_ok() { curl -sf -o /dev/null ${1:+-x "http://$1"} "http://127.0.0.1:$origin_port/body.bin"; }

# --- origin: nginx ------------------------------------------------------------------------
start_nginx_origin "$origin_port"
wait_until nginx "${pids[-1]}" http_get_ok ""

# --- Squid: no cache, access log on, one process ----------------------------------------------
start_squid "$tmp/squid" "http_port 127.0.0.1:$squid_port"
wait_until squid "${PROXY_PID[squid]}" http_get_ok "127.0.0.1:$squid_port"

# --- minewall --------------------------------------------------------------------------------
start_minewall() { # target port state-dir [--config FILE]
  local target="$1" port="$2" state="$3"
  shift 3
  mkdir -p "$state"
  "$MINEWALL_BIN" run "$@" --listen "127.0.0.1:$port" --workers "$MINEWALL_WORKERS" \
    --state-dir "$state" --log-level warn 2>"$tmp/$target.log" &
  pids+=($!)
  PROXY_PID[$target]="${pids[-1]}"
  WEBLOG[$target]="$state/logs/web.log"
  wait_until "$target" "${PROXY_PID[$target]}" http_get_ok "127.0.0.1:$port"
}
start_minewall minewall "$minewall_port" "$tmp/minewall-state" \
  ${MINEWALL_CONFIG:+--config "$MINEWALL_CONFIG"}

# Variants, each its own process and state dir, identical but for one setting:
#   mw-full   embedded default policy, web log on (the default splunk feed to logs/web.log)
#   mw-nopol  bench/policy-empty.yaml (no rules, no feeds, detectors off), web log on
#   mw-nolog  embedded default policy, `weblog: feeds: []`
variants=(mw-full mw-nopol mw-nolog)
declare -A VPORT
if [ "$VARIANTS" = 1 ]; then
  for v in "${variants[@]}"; do
    {
      echo "# generated by bench/http_proxy_bench.sh: variant $v"
      echo "upstream:"
      echo "  pool_max_idle_per_host: $VARIANT_POOL_IDLE"
      case "$v" in
        mw-nopol) echo "policy:"; echo "  file: $repo/bench/policy-empty.yaml" ;;
        mw-nolog) echo "weblog:"; echo "  feeds: []" ;;
      esac
    } >"$tmp/$v.yaml"
    VPORT[$v]="$(free_port $((minewall_port + 1)))"
    start_minewall "$v" "${VPORT[$v]}" "$tmp/$v-state" --config "$tmp/$v.yaml"
  done
  unset 'WEBLOG[mw-nolog]' # it writes none
  grep -q 'no web log feed configured' "$tmp/mw-nolog.log" ||
    die "mw-nolog did not report that its web log is off: $(cat "$tmp/mw-nolog.log")"
fi

# --- wrk scripts ---------------------------------------------------------------------------
# One script per (via proxy?, keep-alive?) pair; done() prints one machine-readable line.
write_wrk_script() { # file absolute(0/1) close(0/1)
  {
    if [ "$2" = 1 ]; then
      echo "wrk.path = \"http://127.0.0.1:$origin_port/body.bin\""
      echo "wrk.headers[\"Host\"] = \"127.0.0.1:$origin_port\""
    else
      echo "wrk.path = \"/body.bin\""
    fi
    [ "$3" = 0 ] || echo 'wrk.headers["Connection"] = "close"'
    cat <<'EOF'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, e.connect, e.read, e.write, e.status,
    e.timeout))
end
EOF
  } >"$1"
}
write_wrk_script "$tmp/direct-ka.lua" 0 0
write_wrk_script "$tmp/direct-close.lua" 0 1
write_wrk_script "$tmp/proxy-ka.lua" 1 0
write_wrk_script "$tmp/proxy-close.lua" 1 1

declare -A R # R[target,case,field]
# run_wrk target case address script conns
run_wrk() {
  local target="$1" mode="$2" addr="$3" script="$4" conns="$5" pid out line field
  pid="${PROXY_PID[$target]:-}"
  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    run_client_bounded /dev/null wrk -t"$THREADS" -c"$conns" -d"$WARMUP" -s "$script" "http://$addr/" || true
  fi
  local cpu0=0 weblog="${WEBLOG[$target]:-}"
  [ -z "$weblog" ] || [ ! -f "$weblog" ] || : >"$weblog" # count this run's records only
  [ -z "$pid" ] || { reset_hwm "$pid"; cpu0="$(cpu_ticks "$pid")"; }
  run_client_bounded "$tmp/wrk-$target-$mode.txt" wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency \
    -s "$script" "http://$addr/" || die "wrk failed against $target: $(cat "$tmp/wrk-$target-$mode.txt")"
  out="$(cat "$tmp/wrk-$target-$mode.txt")"
  line="$(grep '^RESULT ' <<<"$out")" || die "no RESULT line from wrk ($target $mode): $out"
  for field in ${line#RESULT }; do R[$target,$mode,${field%%=*}]="${field#*=}"; done
  R[$target,$mode,rss_mib]="-"
  R[$target,$mode,cpu_us]="-"
  R[$target,$mode,weblog_lines]="-"
  if [ -n "$pid" ]; then
    R[$target,$mode,rss_mib]="$(awk -v k="$(vm_hwm_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')"
    # CPU time the proxy spent per request: less sensitive to a noisy shared machine than req/s.
    R[$target,$mode,cpu_us]="$(cpu_us_per_request $(($(cpu_ticks "$pid") - cpu0)) "${R[$target,$mode,requests]}")"
  fi
  if [ -n "$weblog" ]; then
    sleep 0.3 # the writer thread drains its queue
    R[$target,$mode,weblog_lines]="$(wc -l <"$weblog" 2>/dev/null || echo 0)"
    : >"$weblog" 2>/dev/null || true # keep the disk from filling over many runs
  fi
  local k="$target,$mode" errs
  errs=$((R[$k,err_connect] + R[$k,err_read] + R[$k,err_write] + R[$k,err_status] + R[$k,err_timeout]))
  R[$k,errors]="$errs"
  log "$(printf '%-8s %-9s %9s req/s  p50 %7s ms  p99 %8s ms  peakRSS %5s MiB  CPU %5s us/req' \
    "$target" "$mode" "${R[$k,rps]}" "${R[$k,p50_ms]}" "${R[$k,p99_ms]}" "${R[$k,rss_mib]}" \
    "${R[$k,cpu_us]}")  errors $errs (connect ${R[$k,err_connect]} read ${R[$k,err_read]}" \
    "write ${R[$k,err_write]} non-2xx/3xx ${R[$k,err_status]} timeout>2s ${R[$k,err_timeout]})" \
    "${weblog:+web.log lines ${R[$k,weblog_lines]}}"
}

load_start
log "origin nginx 127.0.0.1:$origin_port (worker_processes $ORIGIN_WORKERS)," \
  "squid :$squid_port (workers 1), minewall :$minewall_port (workers $MINEWALL_WORKERS)"
log "wrk -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP each)"

for mode in keepalive close; do
  sfx=ka; [ "$mode" = keepalive ] || sfx=close
  run_wrk direct "$mode" "127.0.0.1:$origin_port" "$tmp/direct-$sfx.lua" "$CONNS"
  run_wrk squid "$mode" "127.0.0.1:$squid_port" "$tmp/proxy-$sfx.lua" "$CONNS"
  run_wrk minewall "$mode" "127.0.0.1:$minewall_port" "$tmp/proxy-$sfx.lua" "$CONNS"
done

# Memory: MEM_CONNS concurrent keep-alive clients through minewall (Squid alongside for scale).
log "memory check: wrk -t$THREADS -c$MEM_CONNS -d$DURATION"
run_wrk minewall mem "127.0.0.1:$minewall_port" "$tmp/proxy-ka.lua" "$MEM_CONNS"
run_wrk squid mem "127.0.0.1:$squid_port" "$tmp/proxy-ka.lua" "$MEM_CONNS"

# Variants: keep-alive, VARIANT_REPEATS rounds, the order rotated each round so that a slow
# spell on the shared machine does not always hit the same variant.
if [ "$VARIANTS" = 1 ]; then
  log "variants: ${variants[*]} (pool_max_idle_per_host $VARIANT_POOL_IDLE), $VARIANT_REPEATS rounds"
  for ((round = 1; round <= VARIANT_REPEATS; round++)); do
    for ((i = 0; i < ${#variants[@]}; i++)); do
      v="${variants[$(((i + round - 1) % ${#variants[@]}))]}"
      run_wrk "$v" "ka$round" "127.0.0.1:${VPORT[$v]}" "$tmp/proxy-ka.lua" "$CONNS"
    done
  done
  for v in "${variants[@]}"; do
    rps_list=() cpu_list=() v_errors=0
    for ((round = 1; round <= VARIANT_REPEATS; round++)); do
      rps_list+=("${R[$v,ka$round,rps]}")
      cpu_list+=("${R[$v,ka$round,cpu_us]}")
      v_errors=$((v_errors + ${R[$v,ka$round,errors]}))
    done
    R[$v,med,rps]="$(median "${rps_list[@]}")"
    R[$v,med,cpu_us]="$(median "${cpu_list[@]}")"
    R[$v,med,errors]="$v_errors"
    R[$v,all,rps]="${rps_list[*]}"
    R[$v,all,cpu_us]="${cpu_list[*]}"
  done
fi
load_end

squid_log_lines="$(wc -l <"$tmp/squid/access.log" 2>/dev/null || echo 0)"

ka_ratio="$(ratio "${R[minewall,keepalive,rps]}" "${R[squid,keepalive,rps]}")"
close_ratio="$(ratio "${R[minewall,close,rps]}" "${R[squid,close,rps]}")"
ka_ok="$(awk -v r="$ka_ratio" -v m="${R[minewall,keepalive,p99_ms]}" \
  -v s="${R[squid,keepalive,p99_ms]}" 'BEGIN{print (r >= 2 && m <= s) ? 1 : 0}')"
close_ok="$(at_least "$close_ratio" 1.5)"
mem_ok="$(awk -v m="${R[minewall,mem,rss_mib]}" 'BEGIN{print (m < 64) ? 1 : 0}')"
any_errors=0
for t in direct,keepalive squid,keepalive minewall,keepalive direct,close squid,close \
  minewall,close minewall,mem squid,mem; do
  [ "${R[$t,errors]}" = 0 ] || any_errors=1
done

{
  echo "minewall HTTP proxy benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
  minewall_build_line
  echo "minewall config: ${MINEWALL_CONFIG:-embedded defaults}"
  echo "cpus $(nproc); minewall workers $MINEWALL_WORKERS; squid workers 1;" \
    "nginx worker_processes $ORIGIN_WORKERS"
  echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency (memory: -c$MEM_CONNS);" \
    "GET of a $BODY_BYTES-byte file, loopback"
  load_summary_lines
  echo
  row_format='| %-8s | %-22s | %10s | %8s | %8s | %12s | %11s | %6s |\n'
  # shellcheck disable=SC2059 # the format is a fixed string
  printf "$row_format" target case req/s "p50 ms" "p99 ms" "peak RSS MiB" "CPU us/req" errors
  printf '|%s%s|\n' "----------|------------------------|------------|----------|" \
    "----------|--------------|-------------|--------"
  for mode in keepalive close mem; do
    case "$mode" in
      keepalive) label="keep-alive c$CONNS" ;; close) label="new conn/request c$CONNS" ;;
      mem) label="keep-alive c$MEM_CONNS" ;;
    esac
    for t in direct squid minewall; do
      [ -n "${R[$t,$mode,rps]:-}" ] || continue
      k="$t,$mode"
      # shellcheck disable=SC2059
      printf "$row_format" "$t" "$label" "${R[$k,rps]}" "${R[$k,p50_ms]}" "${R[$k,p99_ms]}" \
        "${R[$k,rss_mib]}" "${R[$k,cpu_us]}" "${R[$k,errors]}"
    done
  done
  echo
  echo "keep-alive:        minewall/squid $ka_ratio x," \
    "minewall/direct $(ratio "${R[minewall,keepalive,rps]}" "${R[direct,keepalive,rps]}") x;" \
    "p99 minewall ${R[minewall,keepalive,p99_ms]} ms vs squid ${R[squid,keepalive,p99_ms]} ms"
  echo "new conn/request:  minewall/squid $close_ratio x," \
    "minewall/direct $(ratio "${R[minewall,close,rps]}" "${R[direct,close,rps]}") x"
  echo
  echo "target keep-alive >= 2x squid and p99 <= squid's : $(verdict "$ka_ok")"
  echo "target new conn/request >= 1.5x squid           : $(verdict "$close_ok")"
  echo "target peak RSS < 64 MiB at $MEM_CONNS keep-alive clients : $(verdict "$mem_ok")" \
    "(${R[minewall,mem,rss_mib]} MiB)"
  echo "squid access.log lines written: $squid_log_lines (logging on);" \
    "minewall web.log lines in its keep-alive run: ${R[minewall,keepalive,weblog_lines]}" \
    "for ${R[minewall,keepalive,requests]} requests;" \
    "wrk errors in any run: $([ "$any_errors" = 0 ] && echo none || echo 'YES, see table')"
  if [ "$VARIANTS" = 1 ]; then
    echo
    echo "minewall variants, keep-alive c$CONNS, $VARIANT_REPEATS interleaved rounds," \
      "pool_max_idle_per_host $VARIANT_POOL_IDLE (median; all rounds in brackets)"
    vrow='| %-9s | %-44s | %9s | %-26s | %10s | %-20s | %6s |\n'
    # shellcheck disable=SC2059
    printf "$vrow" variant setting "req/s" "req/s rounds" "CPU us/req" "CPU rounds" errors
    echo "|-----------|----------------------------------------------|-----------|----------------------------|------------|----------------------|--------|"
    for v in "${variants[@]}"; do
      case "$v" in
        mw-full) label="default policy, web log on (splunk file)" ;;
        mw-nopol) label="empty policy, web log on" ;;
        mw-nolog) label="default policy, web log off" ;;
      esac
      # shellcheck disable=SC2059
      printf "$vrow" "$v" "$label" "${R[$v,med,rps]}" "${R[$v,all,rps]}" "${R[$v,med,cpu_us]}" \
        "${R[$v,all,cpu_us]}" "${R[$v,med,errors]}"
    done
    pol_ratio="$(ratio "${R[mw-full,med,rps]}" "${R[mw-nopol,med,rps]}")"
    pol_cpu="$(ratio "${R[mw-nopol,med,cpu_us]}" "${R[mw-full,med,cpu_us]}")"
    log_ratio="$(ratio "${R[mw-full,med,rps]}" "${R[mw-nolog,med,rps]}")"
    log_cpu="$(ratio "${R[mw-nolog,med,cpu_us]}" "${R[mw-full,med,cpu_us]}")"
    v_err=$((${R[mw-full,med,errors]} + ${R[mw-nopol,med,errors]} + ${R[mw-nolog,med,errors]}))
    echo
    echo "default policy / empty policy: req/s $pol_ratio" \
      "(CPU per request, empty/default: $pol_cpu)"
    echo "web log on / off:              req/s $log_ratio" \
      "(CPU per request, off/on: $log_cpu)"
    echo "web.log lines in the last mw-full round: ${R[mw-full,ka$VARIANT_REPEATS,weblog_lines]}" \
      "for ${R[mw-full,ka$VARIANT_REPEATS,requests]} requests"
    echo "target default policy >= 90% of empty policy (req/s) : $(verdict "$(at_least "$pol_ratio" 0.9)")"
    echo "target web log on >= 95% of off (req/s)               : $(verdict "$(at_least "$log_ratio" 0.95)")"
    [ "$v_err" = 0 ] || echo "WARNING: $v_err wrk errors in the variant runs (see progress lines)"
  fi
} | tee "${RESULTS_FILE:-/dev/null}"
