#!/usr/bin/env bash
# Installs what stackwatch needs and builds it. Safe to run again: it only does what is missing.
#   System (Debian packages, installed with apt-get when run as root, else named for you):
#     Go (any current release; Debian's golang-go when none), Go 1.19 (golang-1.19-go, for the
#     old pprof formats), ClickHouse 18.16+ (clickhouse-server, clickhouse-client), gcc (cgo in
#     the fixtures), openssl (test certificates), chromium (the web UI's browser tests).
#   Node: npm ci from the committed lock file, then an Nx build of every project.
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

node_major_minor=$(node -p 'process.versions.node.split(".").slice(0,2).join(".")' 2>/dev/null || echo 0.0)
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  say "Node.js >= 20.19 is required (found ${node_major_minor}); install it from your distribution or nodejs.org"
  exit 1
fi

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -x /usr/lib/go-1.19/bin/go ] || missing+=(golang-1.19-go)
if ! command -v clickhouse-server >/dev/null 2>&1 && ! command -v clickhouse >/dev/null 2>&1; then
  missing+=(clickhouse-server clickhouse-client)
fi
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
# Tests make throwaway TLS certificates with it.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The web UI's browser tests drive Debian's Chromium (playwright-core never downloads browsers).
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    source scripts/env.sh
  else
    say "missing system packages: ${missing[*]}"
    say "install them (as root: apt-get install ${missing[*]}) and run this again"
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" != "--no-build" ]; then
  say "building (nx run-many -t build)"
  npx nx run-many -t build --outputStyle=static >/dev/null
fi
