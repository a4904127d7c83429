# shellcheck shell=bash disable=SC2154 # repo, MINEWALL_BIN, BODY_BYTES, ORIGIN_WORKERS: set by the caller
# Shell functions shared by the proxy benchmarks (http_proxy_bench.sh, https_proxy_bench.sh).
# Source it after `set -euo pipefail`; it defines functions and a few globals only, and starts
# nothing by itself. The caller sets `repo` (the checkout root) before sourcing.
#
# Globals it owns: tmp (the one temp dir), pids (long-running servers started by the bench,
# stopped on exit), client_pid (the load generator currently running, stopped on exit),
# clk_tck, used_ports.

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Installs the bench packages unless SKIP_INSTALL=1, then checks that every named tool exists.
bench_require_tools() { # tool...
  [ "${SKIP_INSTALL:-0}" = 1 ] || "$repo/scripts/install-deps.sh" bench
  export PATH="$PATH:/usr/sbin:/sbin" # nginx and squid live in sbin
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool not found (run scripts/install-deps.sh bench)"
  done
}

# Builds the release binary into build/release when $MINEWALL_BIN does not exist yet.
bench_build_minewall() {
  [ ! -x "$MINEWALL_BIN" ] || return 0
  log "building minewall (release) in $repo/build/release"
  cmake -S "$repo" -B "$repo/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMINEWALL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$repo/build/release" --target minewall -j2
}

# --- temp dir and cleanup -----------------------------------------------------------------
# One temp dir for everything; every server the bench starts is recorded in pids and stopped
# (TERM, then KILL after 5 s) on exit, error, Ctrl-C or SIGTERM.
bench_make_tmp() {
  tmp="$(mktemp -d /tmp/minewall-bench.XXXXXX)"
  chmod 755 "$tmp" # nginx workers (nobody) and squid (proxy) drop root and must reach their files
  pids=()
  client_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local pid
  [ -z "$client_pid" ] || kill -TERM "$client_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}

# Runs a load generator in the background and waits for it, so Ctrl-C or SIGTERM is handled at
# once (bash defers traps until a foreground command ends) and cleanup can stop it too.
run_client_bounded() { # output-file command args...
  local file="$1" rc=0
  shift
  "$@" >"$file" 2>&1 &
  client_pid=$!
  wait "$client_pid" || rc=$?
  client_pid=""
  return "$rc"
}

# First port at or after $1 with no listener on loopback and not handed out before in this run.
used_ports=" "
free_port() {
  local p="$1"
  while [ -n "$(ss -Hltn "sport = :$p")" ] || [[ "$used_ports" == *" $p "* ]]; do p=$((p + 1)); done
  used_ports+="$p "
  echo "$p"
}

# Polls `command...` (every 0.1 s, up to 10 s) until it succeeds; dies if process $2 exits.
wait_until() { # name pid command...
  local name="$1" pid="$2"
  shift 2
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (logs in $tmp, KEEP_TMP=1)"
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$name not answering after 10 s (logs in $tmp, KEEP_TMP=1)"
}

# --- origin: nginx ------------------------------------------------------------------------
# Serves a random $BODY_BYTES file as /body.bin from $tmp/nginx, one config per call.
# With a cert and key it listens with TLS 1.2/1.3; by default with no session cache and no
# tickets (every connection to the origin is a full handshake), with ORIGIN_RESUMPTION=1 with a
# shared session cache and tickets, so proxies that resume origin sessions can do so.
# `access_log off` and a huge keepalive_requests keep the origin cheap. Appends the nginx pid
# to pids.
start_nginx_origin() { # port [cert key]
  local port="$1" cert="${2:-}" key="${3:-}" listen
  mkdir -p "$tmp/nginx/www" "$tmp/nginx/logs"
  [ -f "$tmp/nginx/www/body.bin" ] || head -c "$BODY_BYTES" /dev/urandom >"$tmp/nginx/www/body.bin"
  chmod -R a+rX "$tmp/nginx"
  listen="listen 127.0.0.1:$port backlog=4096;"
  if [ -n "$cert" ]; then
    listen="listen 127.0.0.1:$port ssl backlog=4096;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    $(if [ "${ORIGIN_RESUMPTION:-0}" = 1 ]; then
      echo "ssl_session_cache shared:bench:10m; ssl_session_tickets on;"
    else
      echo "ssl_session_cache off; ssl_session_tickets off;"
    fi)"
  fi
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
    $listen
    root $tmp/nginx/www;
  }
}
EOF
  nginx -t -q -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
  nginx -e "$tmp/nginx/logs/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
  pids+=($!)
}

# --- per-process measurements -------------------------------------------------------------
clk_tck="$(getconf CLK_TCK)"
# Starts Squid in the foreground (one process, no cache, access log on) with its files in
# dir. port_line: the http_port directive; extra: more directives, one per line. Sets
# PROXY_PID[squid].
start_squid() { # dir port_line [extra]
  local dir="$1" port_line="$2" extra="${3:-}"
  mkdir -p "$dir"
  {
    echo "$port_line"
    [ -z "$extra" ] || echo "$extra"
    cat <<EOF
workers 1
cache deny all
access_log stdio:$dir/access.log squid
cache_log $dir/cache.log
pid_filename $dir/squid.pid
coredump_dir $dir
max_filedescriptors 16384
shutdown_lifetime 1 seconds
visible_hostname minewall-bench
http_access allow localhost
http_access deny all
EOF
  } >"$dir/squid.conf"
  [ "$(id -u)" != 0 ] || chown -R proxy:proxy "$dir" # Debian's cache_effective_user
  squid -k parse -f "$dir/squid.conf" 2>"$dir/parse.log" ||
    die "squid config rejected: $(tail -3 "$dir/parse.log")"
  squid -N -f "$dir/squid.conf" 2>"$dir/stderr.log" &
  pids+=($!)
  PROXY_PID[squid]="${pids[-1]}"
}

vm_hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# user+system CPU of a process (all threads) in clock ticks. Field 2 (comm) may hold spaces
# (mitmdump's does not, but be safe): count fields from the closing parenthesis.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# The same for a process and its direct children (nginx workers, Squid's helpers).
tree_ticks() {
  local n child
  n="$(cpu_ticks "$1" 2>/dev/null || echo 0)"
  for child in $(pgrep -P "$1" 2>/dev/null); do
    n=$((n + $(cpu_ticks "$child" 2>/dev/null || echo 0)))
  done
  echo "$n"
}
# Writing 5 to clear_refs resets the peak RSS, so each phase reports its own peak.
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
# CPU microseconds per request from a tick difference and a request count.
cpu_us_per_request() { # ticks requests
  awk -v t="$1" -v hz="$clk_tck" -v n="$2" \
    'BEGIN{ if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }'
}

# --- machine load -------------------------------------------------------------------------
# Task CPU ticks of the whole machine (user+nice+system+steal: irq/softirq time is not charged
# to any process here, and on loopback it is this bench's own packet processing), all ticks, and
# the irq+softirq ticks.
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$9, $2+$3+$4+$5+$6+$7+$8+$9, $7+$8}' /proc/stat; }
# Ticks of everything this script started: servers in pids with their children, and the
# waited-for children of this shell (the load generators, curl, awk) from bash's `times`.
# Sets own_ticks_now instead of printing, and `times` writes to a file: it must run in the main
# shell, since in a command substitution (a forked subshell) the children's times start at zero
# (before this fix the load generator's CPU was missed and counted as "all other processes").
own_ticks() {
  local pid n=0
  for pid in "${pids[@]}"; do n=$((n + $(tree_ticks "$pid"))); done
  times >"$tmp/times.txt"
  n=$((n + $(awk -v hz="$clk_tck" 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }' "$tmp/times.txt")))
  own_ticks_now="$n"
}
# Call load_start before the measured runs and load_end after; load_end sets load_before,
# load_after, own_cpu_pct, irq_cpu_pct and other_cpu_pct (CPU used by processes other than
# this bench, % of all cores: the number that says whether the machine was quiet).
load_start() {
  read -r lm_busy0 lm_total0 lm_irq0 < <(machine_ticks)
  own_ticks
  lm_own0="$own_ticks_now"
  load_before="$(uptime)"
  log "load before: $load_before"
}
load_end() {
  local busy1 total1 irq1 own1
  load_after="$(uptime)"
  read -r busy1 total1 irq1 < <(machine_ticks)
  own_ticks
  own1="$own_ticks_now"
  other_cpu_pct="$(awk -v b=$((busy1 - lm_busy0)) -v o=$((own1 - lm_own0)) -v t=$((total1 - lm_total0)) \
    'BEGIN{ x = (b - o) / t * 100; if (x < 0) x = 0; printf "%.0f", x }')"
  own_cpu_pct="$(awk -v o=$((own1 - lm_own0)) -v t=$((total1 - lm_total0)) 'BEGIN{ printf "%.0f", o / t * 100 }')"
  irq_cpu_pct="$(awk -v i=$((irq1 - lm_irq0)) -v t=$((total1 - lm_total0)) 'BEGIN{ printf "%.0f", i / t * 100 }')"
}
load_summary_lines() {
  echo "load average before: ${load_before##*load average: }" \
    "  after (includes this bench): ${load_after##*load average: }"
  echo "CPU during the runs, % of all cores: this bench's processes ${own_cpu_pct}%," \
    "kernel packet processing (softirq) ${irq_cpu_pct}%, all other processes ${other_cpu_pct}%"
}
# MINEWALL_REV describes a binary copied out of its tree (e.g. "0c22552 + uncommitted proxy/").
minewall_build_line() {
  echo "minewall binary $MINEWALL_BIN (built $(date -u -r "$MINEWALL_BIN" +%Y-%m-%dT%H:%MZ));" \
    "source: ${MINEWALL_REV:-checkout $(git -C "$(dirname "$MINEWALL_BIN")" rev-parse --short HEAD 2>/dev/null || echo '?')}"
}

# --- summary helpers ----------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
verdict() { [ "$1" = 1 ] && echo MET || echo MISSED; }
at_least() { awk -v r="$1" -v t="$2" 'BEGIN{print (r != "n/a" && r >= t) ? 1 : 0}'; }
# Median of the numbers given as arguments ("-" when none).
median() {
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
      else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
