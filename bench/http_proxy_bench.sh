#!/usr/bin/env bash
# Plain-HTTP forward-proxy benchmark, loopback only: a 1 KiB GET served by nginx, fetched with
# wrk (a) directly, (b) through Squid, (c) through minewall; keep-alive and
# new-connection-per-request; then 1,000 concurrent keep-alive clients through minewall for
# peak memory. Everything it starts lives in one temp dir and is stopped on exit.
#
# Usage: bench/http_proxy_bench.sh            (about 2 minutes with the defaults)
# Environment (all optional):
#   DURATION=10s       length of each measured wrk run (wrk syntax: 10s, 1m)
#   WARMUP=2s          unmeasured wrk run against each target before its measured run
#   THREADS=2 CONNS=50 wrk threads and connections for the throughput runs
#   MEM_CONNS=1000     connections for the memory check (ulimit -n is raised to fit)
#   BODY_BYTES=1024    size of the file the origin serves (the targets are about 1 KiB)
#   MINEWALL_WORKERS   minewall --workers (default: nproc)
#   ORIGIN_WORKERS=1   nginx worker_processes (1 keeps the origin from competing for both cores)
#   MINEWALL_CONFIG    minewall --config FILE (default: the embedded defaults, config/minewall.yaml)
#   MINEWALL_BIN       prebuilt binary; default <repo>/build/release/proxy/minewall, built if absent
#   SKIP_INSTALL=1     do not run scripts/install-deps.sh bench
#   KEEP_TMP=1         keep the temp dir (configs, logs) for inspection
#   RESULTS_FILE=path  also write the summary table there
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-50}"
MEM_CONNS="${MEM_CONNS:-1000}"
BODY_BYTES="${BODY_BYTES:-1024}"
MINEWALL_WORKERS="${MINEWALL_WORKERS:-$(nproc)}"
ORIGIN_WORKERS="${ORIGIN_WORKERS:-1}"
MINEWALL_BIN="${MINEWALL_BIN:-$repo/build/release/proxy/minewall}"

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- dependencies -------------------------------------------------------------------------
[ "${SKIP_INSTALL:-0}" = 1 ] || "$repo/scripts/install-deps.sh" bench
export PATH="$PATH:/usr/sbin:/sbin" # nginx and squid live in sbin
for tool in nginx squid wrk curl ss pgrep getconf; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh bench)"
done

if [ ! -x "$MINEWALL_BIN" ]; then
  log "building minewall (release) in $repo/build/release"
  cmake -S "$repo" -B "$repo/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMINEWALL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$repo/build/release" --target minewall -j2
fi

# 1,000 client sockets plus as many upstream sockets, in wrk and in the proxy.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need_fds=$((MEM_CONNS * 2 + 256))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fds" ] ||
  die "ulimit -n is $(ulimit -n), need >= $need_fds for MEM_CONNS=$MEM_CONNS"

# --- temp dir and cleanup -----------------------------------------------------------------
tmp="$(mktemp -d /tmp/minewall-bench.XXXXXX)"
chmod 755 "$tmp" # nginx workers (nobody) and squid (proxy) drop root and must reach their files
pids=()
wrk_pid=""
cleanup() {
  local pid
  [ -z "$wrk_pid" ] || kill -TERM "$wrk_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# First port at or after $1 with no listener on loopback.
free_port() {
  local p="$1"
  while [ -n "$(ss -Hltn "sport = :$p")" ]; do p=$((p + 1)); done
  echo "$p"
}
origin_port="$(free_port "${ORIGIN_PORT:-18080}")"
squid_port="$(free_port "${SQUID_PORT:-13128}")"
[ "$squid_port" != "$origin_port" ] || squid_port="$(free_port $((origin_port + 1)))"
minewall_port="$(free_port "${MINEWALL_PORT:-$((squid_port + 1))}")"

# Polls until a GET of the file via $1 ("" = direct) returns 200, or gives up after 10 s.
wait_ready() {
  local name="$1" proxy="$2" pid="$3"
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (logs in $tmp, KEEP_TMP=1)"
    if curl -sf -o /dev/null ${proxy:+-x "http://$proxy"} "http://127.0.0.1:$origin_port/body.bin"; then
      return 0
    fi
    sleep 0.1
  done
  die "$name not answering after 10 s"
}

# --- origin: nginx ----------------------------------------------------------------------------
mkdir -p "$tmp/nginx/www" "$tmp/nginx/logs"
head -c "$BODY_BYTES" /dev/urandom >"$tmp/nginx/www/body.bin"
chmod -R a+rX "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $ORIGIN_WORKERS;
worker_rlimit_nofile 16384;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$origin_port backlog=4096;
    root $tmp/nginx/www;
  }
}
EOF
nginx -t -q -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
nginx -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
pids+=($!)
wait_ready nginx "" "${pids[-1]}"

# --- Squid: no cache, access log on, one process ----------------------------------------------
mkdir -p "$tmp/squid"
cat >"$tmp/squid/squid.conf" <<EOF
http_port 127.0.0.1:$squid_port
workers 1
cache deny all
access_log stdio:$tmp/squid/access.log squid
cache_log $tmp/squid/cache.log
pid_filename $tmp/squid/squid.pid
coredump_dir $tmp/squid
max_filedescriptors 16384
shutdown_lifetime 1 seconds
visible_hostname minewall-bench
http_access allow localhost
http_access deny all
EOF
[ "$(id -u)" != 0 ] || chown -R proxy:proxy "$tmp/squid" # Debian's cache_effective_user
squid -k parse -f "$tmp/squid/squid.conf" 2>"$tmp/squid/parse.log" ||
  die "squid config rejected: $(tail -3 "$tmp/squid/parse.log")"
squid -N -f "$tmp/squid/squid.conf" 2>"$tmp/squid/stderr.log" &
pids+=($!)
squid_pid="${pids[-1]}"
wait_ready squid "127.0.0.1:$squid_port" "$squid_pid"

# --- minewall --------------------------------------------------------------------------------
mkdir -p "$tmp/minewall-state"
"$MINEWALL_BIN" run ${MINEWALL_CONFIG:+--config "$MINEWALL_CONFIG"} \
  --listen "127.0.0.1:$minewall_port" --workers "$MINEWALL_WORKERS" \
  --state-dir "$tmp/minewall-state" --log-level warn 2>"$tmp/minewall.log" &
pids+=($!)
minewall_pid="${pids[-1]}"
wait_ready minewall "127.0.0.1:$minewall_port" "$minewall_pid"

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

vm_hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# user+system CPU of a process (all threads) in clock ticks; field 2 (comm) has no spaces here.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
clk_tck="$(getconf CLK_TCK)"
# Writing 5 to clear_refs resets the peak RSS, so each phase reports its own peak.
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }

# wrk runs in the background and the shell waits for it, so Ctrl-C or SIGTERM is handled at
# once (bash defers traps until a foreground command ends) and cleanup can stop wrk too.
run_wrk_bounded() { # output-file wrk-args...
  local file="$1" rc=0
  shift
  wrk "$@" >"$file" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  return "$rc"
}

declare -A R # R[target,case,field]
# run_wrk target case address script conns
run_wrk() {
  local target="$1" mode="$2" addr="$3" script="$4" conns="$5" pid="" out line field
  case "$target" in squid) pid="$squid_pid" ;; minewall) pid="$minewall_pid" ;; esac
  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    run_wrk_bounded /dev/null -t"$THREADS" -c"$conns" -d"$WARMUP" -s "$script" "http://$addr/" || true
  fi
  local cpu0=0
  [ -z "$pid" ] || { reset_hwm "$pid"; cpu0="$(cpu_ticks "$pid")"; }
  run_wrk_bounded "$tmp/wrk-$target-$mode.txt" -t"$THREADS" -c"$conns" -d"$DURATION" --latency \
    -s "$script" "http://$addr/" || die "wrk failed against $target: $(cat "$tmp/wrk-$target-$mode.txt")"
  out="$(cat "$tmp/wrk-$target-$mode.txt")"
  line="$(grep '^RESULT ' <<<"$out")" || die "no RESULT line from wrk ($target $mode): $out"
  for field in ${line#RESULT }; do R[$target,$mode,${field%%=*}]="${field#*=}"; done
  R[$target,$mode,rss_mib]="-"
  R[$target,$mode,cpu_us]="-"
  if [ -n "$pid" ]; then
    R[$target,$mode,rss_mib]="$(awk -v k="$(vm_hwm_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')"
    # CPU time the proxy spent per request: less sensitive to a noisy shared machine than req/s.
    R[$target,$mode,cpu_us]="$(awk -v t=$(($(cpu_ticks "$pid") - cpu0)) -v hz="$clk_tck" \
      -v n="${R[$target,$mode,requests]}" \
      'BEGIN{ if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')"
  fi
  local k="$target,$mode" errs
  errs=$((R[$k,err_connect] + R[$k,err_read] + R[$k,err_write] + R[$k,err_status] + R[$k,err_timeout]))
  R[$k,errors]="$errs"
  log "$(printf '%-8s %-9s %9s req/s  p50 %7s ms  p99 %8s ms  peakRSS %5s MiB  CPU %5s us/req' \
    "$target" "$mode" "${R[$k,rps]}" "${R[$k,p50_ms]}" "${R[$k,p99_ms]}" "${R[$k,rss_mib]}" \
    "${R[$k,cpu_us]}")  errors $errs (connect ${R[$k,err_connect]} read ${R[$k,err_read]}" \
    "write ${R[$k,err_write]} non-2xx/3xx ${R[$k,err_status]} timeout>2s ${R[$k,err_timeout]})"
}

# Task CPU ticks of the whole machine (user+nice+system+steal: irq/softirq time is not charged
# to any process here, and on loopback it is this bench's own packet processing), all ticks, and
# the ticks of what this script started: the summary says how much CPU others took meanwhile.
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$9, $2+$3+$4+$5+$6+$7+$8+$9, $7+$8}' /proc/stat; }
own_ticks() {
  local pid n=0 child
  for pid in "${pids[@]}"; do
    n=$((n + $(cpu_ticks "$pid" 2>/dev/null || echo 0)))
    for child in $(pgrep -P "$pid" 2>/dev/null); do # nginx workers
      n=$((n + $(cpu_ticks "$child" 2>/dev/null || echo 0)))
    done
  done
  # Waited-for children of this shell (wrk, curl, awk), from bash's `times` (second line).
  n=$((n + $(times | awk -v hz="$clk_tck" 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }')))
  echo "$n"
}
read -r busy0 total0 irq0 < <(machine_ticks)
own0="$(own_ticks)"
load_before="$(uptime)"
log "load before: $load_before"
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
load_after="$(uptime)"
read -r busy1 total1 irq1 < <(machine_ticks)
own1="$(own_ticks)"
other_cpu_pct="$(awk -v b=$((busy1 - busy0)) -v o=$((own1 - own0)) -v t=$((total1 - total0)) \
  'BEGIN{ x = (b - o) / t * 100; if (x < 0) x = 0; printf "%.0f", x }')"
own_cpu_pct="$(awk -v o=$((own1 - own0)) -v t=$((total1 - total0)) 'BEGIN{ printf "%.0f", o / t * 100 }')"
irq_cpu_pct="$(awk -v i=$((irq1 - irq0)) -v t=$((total1 - total0)) 'BEGIN{ printf "%.0f", i / t * 100 }')"

squid_log_lines="$(wc -l <"$tmp/squid/access.log" 2>/dev/null || echo 0)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
verdict() { [ "$1" = 1 ] && echo MET || echo MISSED; }

ka_ratio="$(ratio "${R[minewall,keepalive,rps]}" "${R[squid,keepalive,rps]}")"
close_ratio="$(ratio "${R[minewall,close,rps]}" "${R[squid,close,rps]}")"
ka_ok="$(awk -v r="$ka_ratio" -v m="${R[minewall,keepalive,p99_ms]}" \
  -v s="${R[squid,keepalive,p99_ms]}" 'BEGIN{print (r >= 2 && m <= s) ? 1 : 0}')"
close_ok="$(awk -v r="$close_ratio" 'BEGIN{print (r >= 1.5) ? 1 : 0}')"
mem_ok="$(awk -v m="${R[minewall,mem,rss_mib]}" 'BEGIN{print (m < 64) ? 1 : 0}')"
any_errors=0
for t in direct,keepalive squid,keepalive minewall,keepalive direct,close squid,close \
  minewall,close minewall,mem squid,mem; do
  [ "${R[$t,errors]}" = 0 ] || any_errors=1
done

{
  echo "minewall HTTP proxy benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "minewall binary $MINEWALL_BIN (built $(date -u -r "$MINEWALL_BIN" +%Y-%m-%dT%H:%MZ));" \
    "checkout of that tree: $(git -C "$(dirname "$MINEWALL_BIN")" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "minewall config: ${MINEWALL_CONFIG:-embedded defaults}"
  echo "cpus $(nproc); minewall workers $MINEWALL_WORKERS; squid workers 1;" \
    "nginx worker_processes $ORIGIN_WORKERS"
  echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency (memory: -c$MEM_CONNS);" \
    "GET of a $BODY_BYTES-byte file, loopback"
  echo "load average before: ${load_before##*load average: }" \
    "  after (includes this bench): ${load_after##*load average: }"
  echo "CPU during the runs, % of all cores: this bench's processes ${own_cpu_pct}%," \
    "kernel packet processing (softirq) ${irq_cpu_pct}%, all other processes ${other_cpu_pct}%"
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
    "wrk errors in any run: $([ "$any_errors" = 0 ] && echo none || echo 'YES, see table')"
} | tee "${RESULTS_FILE:-/dev/null}"
