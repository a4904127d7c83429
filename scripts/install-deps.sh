#!/usr/bin/env bash
# Installs the Debian 12 packages minewall needs to build, test and benchmark.
# Used by the README quick start, .ci/run and the Dockerfile alike, so there is one list.
# Usage: scripts/install-deps.sh [build|test|bench]   (default: build)
set -euo pipefail

want="${1:-build}"
build_pkgs=(build-essential cmake ninja-build pkg-config
            libboost1.81-dev libssl-dev libre2-dev libspdlog-dev libfmt-dev
            libyaml-cpp-dev libcli11-dev nlohmann-json3-dev doctest-dev libcrypt-dev
            libgoogle-perftools-dev)  # tcmalloc_minimal for the release binary
test_pkgs=(clang libclang-rt-14-dev curl openssl ca-certificates procps)
bench_pkgs=(nginx-light squid-openssl wrk hey mitmproxy)  # squid-openssl is Squid with ssl_bump; it replaces "squid"

pkgs=("${build_pkgs[@]}")
case "$want" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "minewall: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
