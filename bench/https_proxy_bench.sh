#!/usr/bin/env bash
# HTTPS interception benchmark (issue 3), loopback only: a 1 KiB GET from an nginx TLS origin
# (certificate from a test CA made here with openssl), fetched with hey (a) directly, (b) through
# Squid with `ssl_bump bump all`, (c) through minewall bumping, (d) through mitmdump; keep-alive
# (requests/s inside established TLS connections) and a new TCP + CONNECT + full TLS handshake
# per request (hey -disable-keepalive: handshakes/s). Before measuring, curl fetches the file
# through each proxy and the script checks that the certificate curl saw was issued by that
# proxy's CA, i.e. the traffic really is decrypted. Everything it starts lives in one temp dir
# and is stopped on exit. The origin listens on 127.0.0.1:443 (see below why), so run it as root.
#
# Usage: bench/https_proxy_bench.sh           (about 2 minutes with the defaults)
# Environment (all optional):
#   DURATION=10s       length of each measured hey run (Go syntax: 10s, 1m)
#   WARMUP=2s          unmeasured hey run against each target before its measured run
#   CONNS=50           hey -c: concurrent clients, each with its own connection
#   REPEATS=1          rounds of all measured runs (medians are compared; per-round figures shown)
#   TARGETS="direct squid minewall mitmproxy"   which contenders to run (subset allowed)
#   MODES="keepalive newconn"                   which modes to run
#   BODY_BYTES=1024    size of the file the origin serves
#   ORIGIN_HOST=localhost  host name in the URL (SNI; resolved by the proxies via /etc/hosts).
#                      127.0.0.1 tests the no-SNI path (certificates for an IP address) with
#                      TARGETS="direct minewall mitmproxy": Squid's client-first `bump all`
#                      mints an IP certificate that curl rejects, so the bump check stops there
#   MINEWALL_WORKERS   minewall --workers (default: nproc)
#   MINEWALL_POOL_IDLE upstream.pool_max_idle_per_host for minewall (default: unset, i.e. the
#                      shipped value, 64 per host and worker since 60e0567)
#   ORIGIN_WORKERS=1   nginx worker_processes
#   ORIGIN_RESUMPTION=1  the origin keeps a session cache and issues tickets, so a proxy that
#                      resumes its origin sessions skips most upstream handshake work (default
#                      0: every upstream handshake is a full one, for every contender)
#   SQUID_PORT=13130 MINEWALL_PORT MITM_PORT   first port to try for each proxy
#   MINEWALL_BIN       prebuilt binary; default <repo>/build/release/proxy/minewall, built if absent
#   MINEWALL_REV       what that binary was built from, for the summary (default: its checkout)
#   SKIP_INSTALL=1     do not run scripts/install-deps.sh bench
#   KEEP_TMP=1         keep the temp dir (CAs, configs, logs, raw hey output) for inspection
#   RESULTS_FILE=path  also write the summary there
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/bench_lib.sh
. "$repo/bench/bench_lib.sh"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
CONNS="${CONNS:-50}"
REPEATS="${REPEATS:-1}"
TARGETS="${TARGETS:-direct squid minewall mitmproxy}"
MODES="${MODES:-keepalive newconn}"
BODY_BYTES="${BODY_BYTES:-1024}"
ORIGIN_HOST="${ORIGIN_HOST:-localhost}"
MINEWALL_WORKERS="${MINEWALL_WORKERS:-$(nproc)}"
MINEWALL_POOL_IDLE="${MINEWALL_POOL_IDLE:-}"
ORIGIN_WORKERS="${ORIGIN_WORKERS:-1}"
MINEWALL_BIN="${MINEWALL_BIN:-$repo/build/release/proxy/minewall}"
SQUID_CERTGEN="${SQUID_CERTGEN:-/usr/lib/squid/security_file_certgen}"

bench_require_tools nginx squid mitmdump hey curl openssl ss pgrep getconf
[ -x "$SQUID_CERTGEN" ] || die "$SQUID_CERTGEN not found (package squid-openssl)"
bench_build_minewall
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
wants() { [[ " $TARGETS " == *" $1 "* ]]; }

bench_make_tmp
# The origin listens on 127.0.0.1:443, the port HTTPS clients use: hey 0.1.4 (Debian) sets the
# TLS ServerName to the request's Host, which carries the port for any other port, so every
# client would send the invalid SNI "localhost:18443" (minewall refuses to mint a certificate for
# it; Squid and mitmproxy ignore it), and overriding Host with -host breaks Squid instead (it
# then forwards to port 443). Binding 443 needs root (or a lowered ip_unprivileged_port_start).
origin_port=443
[ -z "$(ss -Hltn "sport = :443")" ] || die "port 443 is in use on this machine; the origin needs it"
used_ports+="443 "
squid_port="$(free_port "${SQUID_PORT:-13130}")"
minewall_port="$(free_port "${MINEWALL_PORT:-$((squid_port + 1))}")"
mitm_port="$(free_port "${MITM_PORT:-$((minewall_port + 1))}")"
url="https://$ORIGIN_HOST/body.bin"

declare -A PROXY_PID  # target -> pid
declare -A PROXY_ADDR # target -> 127.0.0.1:port ("" for direct)
declare -A CA_FILE    # target -> the CA that must have issued the certificate the client sees
PROXY_ADDR[direct]=""

# --- the test CA and the origin certificate (ECDSA P-256, valid 2 days) --------------------
mkdir -p "$tmp/ca"
openssl_ec_ca() { # dir common-name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$1/ca.key" -out "$1/ca.pem" -subj "/O=minewall bench/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}
openssl_ec_ca "$tmp/ca" "bench test CA (origin)"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca/origin.key" \
  -out "$tmp/ca/origin.csr" -subj "/CN=$ORIGIN_HOST" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
  "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tmp/ca/origin.ext"
openssl x509 -req -in "$tmp/ca/origin.csr" -CA "$tmp/ca/ca.pem" -CAkey "$tmp/ca/ca.key" \
  -CAcreateserial -days 2 -extfile "$tmp/ca/origin.ext" -out "$tmp/ca/origin.pem" 2>/dev/null
chmod -R a+rX "$tmp/ca" # nginx reads the key as root, squid (proxy) reads ca.pem
CA_FILE[direct]="$tmp/ca/ca.pem"

# Fetches the file through proxy $1 ("" = direct), verifying the certificate against $2 only.
# Prints the issuer curl saw; fails unless the status is 200.
https_get_issuer() { # proxy ca-file
  local out
  out="$(curl -sS -v -o /dev/null -w 'STATUS %{http_code}\n' --max-time 10 --cacert "$2" \
    ${1:+-x "http://$1"} "$url" 2>&1)" || { echo "$out" | tail -3 >&2; return 1; }
  grep -q '^STATUS 200$' <<<"$out" || { echo "$out" | tail -3 >&2; return 1; }
  sed -n 's/^\*  *issuer: //p' <<<"$out" | head -1
}

# --- origin: nginx with TLS ----------------------------------------------------------------
start_nginx_origin "$origin_port" "$tmp/ca/origin.pem" "$tmp/ca/origin.key"
wait_until nginx "${pids[-1]}" https_get_issuer "" "$tmp/ca/ca.pem"

# --- Squid: ssl_bump bump all, one process, no cache, access log on ---------------------------
if wants squid; then
  mkdir -p "$tmp/squid/ca"
  openssl_ec_ca "$tmp/squid/ca" "Squid bench CA"
  # Squid signs minted certificates with this CA and (as it does for any CA) uses the CA's own
  # key as the leaf key, so its leaves are ECDSA P-256 like minewall's.
  "$SQUID_CERTGEN" -c -s "$tmp/squid/ssl_db" -M 16MB >/dev/null
  start_squid "$tmp/squid" \
    "http_port 127.0.0.1:$squid_port ssl-bump generate-host-certificates=on dynamic_cert_mem_cache_size=16MB tls-cert=$tmp/squid/ca/ca.pem tls-key=$tmp/squid/ca/ca.key" \
    "sslcrtd_program $SQUID_CERTGEN -s $tmp/squid/ssl_db -M 16MB
sslcrtd_children 5 startup=1 idle=1
ssl_bump bump all
tls_outgoing_options cafile=$tmp/ca/ca.pem"
  PROXY_ADDR[squid]="127.0.0.1:$squid_port"
  CA_FILE[squid]="$tmp/squid/ca/ca.pem"
fi

# --- minewall: bump everything, its CA in the temp dir, the test CA trusted upstream ----------
if wants minewall; then
  {
    echo "# generated by bench/https_proxy_bench.sh: the defaults (web log on, embedded policy,"
    echo "# intercept on) except the idle origin-connection pool when MINEWALL_POOL_IDLE is set"
    if [ -n "$MINEWALL_POOL_IDLE" ]; then
      echo "upstream:"
      echo "  pool_max_idle_per_host: $MINEWALL_POOL_IDLE"
    else
      echo "{}"
    fi
  } >"$tmp/minewall.yaml"
  mkdir -p "$tmp/minewall-state"
  "$MINEWALL_BIN" run --config "$tmp/minewall.yaml" --listen "127.0.0.1:$minewall_port" \
    --workers "$MINEWALL_WORKERS" --state-dir "$tmp/minewall-state" --ca-dir "$tmp/minewall-ca" \
    --upstream-ca "$tmp/ca/ca.pem" --log-level warn 2>"$tmp/minewall.log" &
  pids+=($!)
  PROXY_PID[minewall]="${pids[-1]}"
  PROXY_ADDR[minewall]="127.0.0.1:$minewall_port"
  CA_FILE[minewall]="$tmp/minewall-ca/ca.pem"
fi

# --- mitmdump: its own CA in a confdir in the temp dir, the test CA trusted upstream ----------
if wants mitmproxy; then
  mkdir -p "$tmp/mitmproxy"
  mitmdump --listen-host 127.0.0.1 --listen-port "$mitm_port" --set confdir="$tmp/mitmproxy" \
    --set ssl_verify_upstream_trusted_ca="$tmp/ca/ca.pem" --set flow_detail=0 \
    --set termlog_verbosity=warn >"$tmp/mitmproxy/stdout.log" 2>&1 &
  pids+=($!)
  PROXY_PID[mitmproxy]="${pids[-1]}"
  PROXY_ADDR[mitmproxy]="127.0.0.1:$mitm_port"
  CA_FILE[mitmproxy]="$tmp/mitmproxy/mitmproxy-ca-cert.pem"
fi

# Wait for each proxy, then prove it bumps: curl trusting only that proxy's CA gets a 200 and
# sees a certificate issued by that CA (not the origin's test CA).
declare -A ISSUER
targets=()
for t in direct squid minewall mitmproxy; do wants "$t" && targets+=("$t"); done
for t in "${targets[@]}"; do
  if [ "$t" != direct ]; then
    for _ in $(seq 100); do [ -s "${CA_FILE[$t]}" ] && break; sleep 0.1; done
    [ -s "${CA_FILE[$t]}" ] || die "$t wrote no CA certificate ${CA_FILE[$t]}"
    wait_until "$t" "${PROXY_PID[$t]}" https_get_issuer "${PROXY_ADDR[$t]}" "${CA_FILE[$t]}"
  fi
  ISSUER[$t]="$(https_get_issuer "${PROXY_ADDR[$t]}" "${CA_FILE[$t]}")" ||
    die "$t: HTTPS GET trusting only ${CA_FILE[$t]} failed"
  # curl prints the issuer as "O=..; CN=.."; compare the CA's common name.
  ca_cn="$(openssl x509 -in "${CA_FILE[$t]}" -noout -subject -nameopt multiline |
    sed -n 's/^ *commonName *= *//p')"
  if [ -z "$ca_cn" ] || [[ "${ISSUER[$t]}" != *"CN=$ca_cn"* ]]; then
    die "$t: the client saw a certificate issued by '${ISSUER[$t]}', not by CN=$ca_cn"
  fi
  if [ "$t" != direct ] && [[ "${ISSUER[$t]}" == *"bench test CA (origin)"* ]]; then
    die "$t did not bump: the client saw the origin's own certificate"
  fi
  log "$(printf '%-9s OK: certificate issued by %s' "$t" "${ISSUER[$t]}")"
done

# hey (Go) skips certificate verification (hey sets InsecureSkipVerify), but it still does the
# full handshake; the bundle is exported anyway so any Go client run from here trusts all CAs.
cat "${CA_FILE[@]}" >"$tmp/ca-bundle.pem"
export SSL_CERT_FILE="$tmp/ca-bundle.pem"

declare -A R # R[target,mode,round,field]
# Parses hey's summary: requests/s of 2xx responses only, latency p50/p99, non-2xx and errors.
parse_hey() { # file -> "ok=N non2xx=N errors=N total_s=S p50_ms=X p99_ms=Y"
  awk '
    /^  Total:/ { total = $2 }
    /^  50% in / { p50 = $3 * 1000 }
    /^  99% in / { p99 = $3 * 1000 }
    /^Status code distribution:/ { sect = "status"; next }
    /^Error distribution:/ { sect = "error"; next }
    sect == "status" && /^ *\[[0-9]+\]/ {
      code = $1; gsub(/[\[\]]/, "", code)
      if (code >= 200 && code < 300) ok += $2; else bad += $2
    }
    sect == "error" && /^ *\[[0-9]+\]/ { n = $1; gsub(/[\[\]]/, "", n); err += n }
    END { printf "ok=%d non2xx=%d errors=%d total_s=%s p50_ms=%.2f p99_ms=%.2f\n",
      ok, bad, err, total, p50, p99 }' "$1"
}
run_hey() { # target mode round
  local target="$1" mode="$2" round="$3" pid out field k args=(-c "$CONNS")
  pid="${PROXY_PID[$target]:-}"
  k="$target,$mode,$round"
  [ -z "${PROXY_ADDR[$target]}" ] || args+=(-x "http://${PROXY_ADDR[$target]}")
  [ "$mode" = keepalive ] || args+=(-disable-keepalive)
  if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    run_client_bounded /dev/null hey -z "$WARMUP" "${args[@]}" "$url" || true
  fi
  local cpu0=0 weblog="$tmp/minewall-state/logs/web.log"
  [ "$target" != minewall ] || [ ! -f "$weblog" ] || : >"$weblog"
  [ -z "$pid" ] || { reset_hwm "$pid"; cpu0="$(tree_ticks "$pid")"; }
  out="$tmp/hey-$target-$mode-$round.txt"
  run_client_bounded "$out" hey -z "$DURATION" "${args[@]}" "$url" ||
    die "hey failed against $target: $(tail -5 "$out")"
  for field in $(parse_hey "$out"); do R[$k,${field%%=*}]="${field#*=}"; done
  [ "${R[$k,total_s]:-}" != "" ] || die "no summary from hey ($target $mode): $(tail -5 "$out")"
  R[$k,rps]="$(awk -v n="${R[$k,ok]}" -v t="${R[$k,total_s]}" 'BEGIN{printf "%.1f", n / t}')"
  R[$k,bad]=$((R[$k,non2xx] + R[$k,errors]))
  R[$k,rss_mib]="-"
  R[$k,cpu_us]="-"
  if [ -n "$pid" ]; then
    R[$k,rss_mib]="$(awk -v k="$(vm_hwm_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')"
    R[$k,cpu_us]="$(cpu_us_per_request $(($(tree_ticks "$pid") - cpu0)) "${R[$k,ok]}")"
  fi
  R[$k,logged]="-"
  if [ "$target" = minewall ]; then
    sleep 0.3 # the web-log writer drains its queue
    R[$k,logged]="$(wc -l <"$weblog" 2>/dev/null || echo 0)"
    : >"$weblog" 2>/dev/null || true
  fi
  log "$(printf '%-9s %-9s r%s %9s 2xx/s  p50 %7s ms  p99 %8s ms  peakRSS %6s MiB  CPU %6s us/req  non-2xx %s  errors %s' \
    "$target" "$mode" "$round" "${R[$k,rps]}" "${R[$k,p50_ms]}" "${R[$k,p99_ms]}" "${R[$k,rss_mib]}" \
    "${R[$k,cpu_us]}" "${R[$k,non2xx]}" "${R[$k,errors]}")" \
    "$([ "$target" != minewall ] || echo "web.log lines ${R[$k,logged]}")"
  [ "${R[$k,errors]}" = 0 ] || log "  errors: $(sed -n '/^Error distribution:/,$p' "$out" | sed -n '2,4p' | tr -s ' \t' ' ')"
}

load_start
log "origin nginx $url (worker_processes $ORIGIN_WORKERS);" \
  "hey -c$CONNS -z$DURATION (warm-up $WARMUP), $REPEATS round(s); targets: ${targets[*]}"
for ((round = 1; round <= REPEATS; round++)); do
  for mode in $MODES; do
    for t in "${targets[@]}"; do run_hey "$t" "$mode" "$round"; done
  done
done
load_end

# Medians over the rounds; a run with any non-2xx or error counts as failed (no throughput).
declare -A M
for t in "${targets[@]}"; do
  for mode in $MODES; do
    rps=() cpu=() rss=() p99=() bad=0
    for ((round = 1; round <= REPEATS; round++)); do
      k="$t,$mode,$round"
      bad=$((bad + R[$k,bad]))
      rps+=("${R[$k,rps]}") cpu+=("${R[$k,cpu_us]}") rss+=("${R[$k,rss_mib]}") p99+=("${R[$k,p99_ms]}")
    done
    M[$t,$mode,rps]="$(median "${rps[@]}")"
    M[$t,$mode,cpu_us]="$(median "${cpu[@]}")"
    M[$t,$mode,rss_mib]="$(median "${rss[@]}")"
    M[$t,$mode,p99_ms]="$(median "${p99[@]}")"
    M[$t,$mode,rounds]="${rps[*]}"
    M[$t,$mode,bad]="$bad"
    [ "$bad" = 0 ] || M[$t,$mode,rps]="0 (errors)"
  done
done
target_ratio() { # mode other-target
  if [ -z "${M[minewall,$1,rps]:-}" ] || [ -z "${M[$2,$1,rps]:-}" ]; then echo "n/a"; return; fi
  ratio "${M[minewall,$1,rps]%% *}" "${M[$2,$1,rps]%% *}"
}
ka_squid="$(target_ratio keepalive squid)"
ka_mitm="$(target_ratio keepalive mitmproxy)"
nc_squid="$(target_ratio newconn squid)"
squid_log_lines="$(wc -l <"$tmp/squid/access.log" 2>/dev/null || echo -)"

{
  echo "minewall HTTPS interception benchmark  $(date -u +%Y-%m-%dT%H:%MZ)"
  minewall_build_line
  echo "cpus $(nproc); minewall workers $MINEWALL_WORKERS (pool_max_idle_per_host" \
    "${MINEWALL_POOL_IDLE:-shipped default}, web log on, default policy); squid workers 1 (ssl_bump bump all);" \
    "mitmdump 1 process; nginx worker_processes $ORIGIN_WORKERS"
  echo "origin TLS session resumption: $([ "${ORIGIN_RESUMPTION:-0}" = 1 ] && echo on || echo off)"
  echo "hey -c$CONNS -z$DURATION, GET $url ($BODY_BYTES bytes), loopback; $REPEATS round(s), medians;" \
    "newconn = hey -disable-keepalive (TCP + CONNECT + full TLS handshake per request)"
  echo "$(squid -v | head -1 | sed 's/ for .*//'); mitmdump $(mitmdump --version 2>/dev/null | sed -n 's/^Mitmproxy: *//p');" \
    "$(nginx -v 2>&1 | sed 's/^nginx version: //'); $(openssl version | cut -d' ' -f1-2)"
  load_summary_lines
  for t in "${targets[@]}"; do echo "certificate seen through $t: issuer ${ISSUER[$t]}"; done
  echo
  row='| %-9s | %-10s | %10s | %-30s | %8s | %10s | %12s | %11s |\n'
  # shellcheck disable=SC2059 # fixed format
  printf "$row" target mode "2xx/s" "rounds" "p99 ms" "CPU us/req" "peak RSS MiB" "non-2xx+err"
  echo "|-----------|------------|------------|--------------------------------|----------|------------|--------------|-------------|"
  for mode in $MODES; do
    for t in "${targets[@]}"; do
      # shellcheck disable=SC2059
      printf "$row" "$t" "$mode" "${M[$t,$mode,rps]}" "${M[$t,$mode,rounds]}" \
        "${M[$t,$mode,p99_ms]}" "${M[$t,$mode,cpu_us]}" "${M[$t,$mode,rss_mib]}" "${M[$t,$mode,bad]}"
    done
  done
  echo
  for mode in $MODES; do
    line="$mode: minewall/squid $(target_ratio "$mode" squid) x, minewall/mitmproxy"
    line+=" $(target_ratio "$mode" mitmproxy) x, minewall/direct $(target_ratio "$mode" direct) x"
    echo "$line"
  done
  echo
  # A target whose mode or contenders were not run is reported as such, not as missed.
  target_line() { # label ratio threshold
    if [ "$2" = n/a ]; then echo "$1: not measured in this run"; else
      echo "$1: $(verdict "$(at_least "$2" "$3")") ($2 x)"; fi
  }
  target_line "target keep-alive >= 2x squid-bump    " "$ka_squid" 2
  target_line "target keep-alive >= 10x mitmproxy    " "$ka_mitm" 10
  target_line "target new connections >= 1.5x squid " "$nc_squid" 1.5
  echo "squid access.log lines: $squid_log_lines; minewall web.log lines in its last run:" \
    "${R[minewall,${MODES##* },$REPEATS,logged]:-n/a} for ${R[minewall,${MODES##* },$REPEATS,ok]:-n/a} responses"
} | tee "${RESULTS_FILE:-/dev/null}"
