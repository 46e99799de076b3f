#!/usr/bin/env bash
# What `make bench` needs beyond the test suite: wrk (Debian) as the HTTP load tool. Idempotent; needs root
# to install. Without wrk the benchmark falls back to its Python load client (and says so in its report).
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "wrk is not installed (run as root: apt-get install wrk); using the Python load client" >&2
  exit 0
fi
echo "Installing Debian package: wrk"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq wrk >/dev/null
