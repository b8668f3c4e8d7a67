#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, lints, and runs every test
# (unit, integration against real Go processes, ClickHouse and gRPC). In CI (CI=true) a missing
# Go or ClickHouse is a failure, never a skip: the helpers that start them throw.
# Extra arguments go to jest, e.g. scripts/test.sh libs/pprof
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

echo "== lint and type-check" >&2
npm run --silent lint

echo "== tests" >&2
mkdir -p .reports
status=0
npx jest --ci --json --outputFile=.reports/jest.json "$@" || status=$?
# A closing line any CI can read, whatever the runner printed above it.
node -e '
  const r = require("./.reports/jest.json");
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' || status=1
exit $status
