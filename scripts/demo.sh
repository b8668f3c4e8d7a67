#!/usr/bin/env bash
# The README's first command: a demo fleet on this machine. Builds stackwatch, starts the
# aggregator (embedded default store), three instances of the Go fault-fixture service with
# background traffic, and one agent per instance; prints the URLs and commands to try.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

INSTANCES=${STACKWATCH_DEMO_INSTANCES:-3}
GRPC_PORT=${STACKWATCH_DEMO_GRPC_PORT:-7171}
HTTP_PORT=${STACKWATCH_DEMO_HTTP_PORT:-7172}
AGENT_METRICS_PORT=${STACKWATCH_DEMO_AGENT_METRICS_PORT:-7173}
# Logs stay in .demo/ after the demo stops; binaries and state are made anew each run.
run_dir="$PWD/.demo"
rm -rf "$run_dir" && mkdir -p "$run_dir"
pids=()

stop_all() {
  trap - INT TERM EXIT
  echo >&2
  echo "demo: stopping ${#pids[@]} processes" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all INT TERM EXIT

# wait_http URL SECONDS: polls until URL answers 200.
wait_http() {
  node -e '
    const [url, seconds] = process.argv.slice(1);
    const deadline = Date.now() + Number(seconds) * 1000;
    (async () => {
      for (;;) {
        try { if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return; } catch {}
        if (Date.now() > deadline) { console.error(`demo: ${url} did not answer within ${seconds}s`); process.exit(1); }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();' "$1" "$2"
}

echo "demo: building the Go fault-fixture service" >&2
(cd test/fixtures/go && CGO_ENABLED=1 go build -o "$run_dir/faultsvc" ./faultsvc)

bin/stackwatch-aggregator --grpc-listen "127.0.0.1:$GRPC_PORT" --http-listen "127.0.0.1:$HTTP_PORT" \
  --store "duckdb:$run_dir/stackwatch.duckdb" >"$run_dir/aggregator.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$HTTP_PORT/readyz" 60

targets=()
for i in $(seq 1 "$INSTANCES"); do
  out="$run_dir/fixture-$i.out"
  # The agent reads service and instance from the process environment, as in Kubernetes.
  STACKWATCH_SERVICE=demo-shop POD_NAME="demo-shop-$i" \
    "$run_dir/faultsvc" -listen 127.0.0.1:0 -background-rps 20 -service demo-shop >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q 'listening on' "$out" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$out" | head -1)
  [ -n "$url" ] || { echo "demo: fixture $i did not start: $(cat "$out")" >&2; exit 1; }
  targets+=("$url")
  bin/stackwatch-agent --aggregator "127.0.0.1:$GRPC_PORT" --target "$url" \
    --spool-dir "$run_dir/spool-$i" --metrics-listen "127.0.0.1:$((AGENT_METRICS_PORT + i - 1))" >"$run_dir/agent-$i.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$((AGENT_METRICS_PORT + i - 1))/healthz" 30
done

cat <<MSG

stackwatch demo is running ($INSTANCES instances of demo-shop, one agent each).
  API:              http://127.0.0.1:$HTTP_PORT/api/v1/services   (docs/api.md)
  Aggregator:       http://127.0.0.1:$HTTP_PORT/readyz   metrics: http://127.0.0.1:$HTTP_PORT/metrics   gRPC ingest: 127.0.0.1:$GRPC_PORT
  Agent metrics:    http://127.0.0.1:$AGENT_METRICS_PORT/metrics (next agents on the following ports)
  Fixture services: ${targets[*]}
  Logs:             $run_dir/*.log

Try:
  curl -s '${targets[0]}/fault/cpu?seconds=20'   # a CPU spike on instance 1 ...
  grep 'fired' $run_dir/agent-1.log               # ... caught by its agent within seconds
  curl -s 'http://127.0.0.1:$HTTP_PORT/api/v1/events?service=demo-shop'           # the event, its profiles
  curl -s 'http://127.0.0.1:$HTTP_PORT/api/v1/hotspots?service=demo-shop&type=cpu&limit=5'   # the culprit
  curl -s 'http://127.0.0.1:$HTTP_PORT/api/v1/instances?service=demo-shop'        # who reports, latest metrics
  go tool pprof -top 'http://127.0.0.1:$HTTP_PORT/api/v1/merged.pprof?service=demo-shop&type=cpu'
  curl -s '${targets[0]}/fault/cgo?n=30'          # 30 threads blocked in cgo: the threads rule

Ctrl-C stops everything.
MSG
wait
