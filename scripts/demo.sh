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
# Logs stay in .demo/ (or STACKWATCH_DEMO_DIR) after the demo stops; binaries and state are made anew each run.
run_dir="${STACKWATCH_DEMO_DIR:-$PWD/.demo}"
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

# Demo settings make every fault show within seconds on any machine: the memory and goroutine
# minimums are lowered (1 GiB is a few per cent of a large host; the fixture leaks hundreds of
# goroutines, not thousands), and deadlock inspections run every 5 s instead of 30 s.
agent_flags=(--rule memory.min=1 --rule goroutines.min=100 --inspect-every 5s --deadlock-after 10s)

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
  bin/stackwatch-agent --aggregator "127.0.0.1:$GRPC_PORT" --target "$url" "${agent_flags[@]}" \
    --spool-dir "$run_dir/spool-$i" --metrics-listen "127.0.0.1:$((AGENT_METRICS_PORT + i - 1))" >"$run_dir/agent-$i.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$((AGENT_METRICS_PORT + i - 1))/healthz" 30
done

api="http://127.0.0.1:$HTTP_PORT/api/v1"
t1=${targets[0]}
t2=${targets[1]:-$t1}
t3=${targets[2]:-$t1}
cat <<MSG

stackwatch demo is running: $INSTANCES instances of demo-shop (demo-shop-1 … demo-shop-$INSTANCES), one agent each.
  Web UI:         http://127.0.0.1:$HTTP_PORT/   (docs/ui.md)
  REST API:       $api/services   (docs/api.md)
  Aggregator:     http://127.0.0.1:$HTTP_PORT/readyz   metrics: http://127.0.0.1:$HTTP_PORT/metrics   gRPC ingest: 127.0.0.1:$GRPC_PORT
  Agent metrics:  http://127.0.0.1:$AGENT_METRICS_PORT/metrics (the next agents on the following ports)
  Services:       ${targets[*]}
  Logs:           $run_dir/*.log
  Walk-through:   docs/quickstart.md

Cause a fault on one instance (agents need ~10 s of history first):
  curl -s '$t1/fault/cpu?seconds=20'     # CPU spike on demo-shop-1          -> a cpu event
  curl -s '$t2/fault/alloc?mb=1024'      # 1 GiB held on demo-shop-2         -> a memory event (undo: /fault/reset)
  curl -s '$t3/fault/leak?n=500'         # goroutine leak on demo-shop-3     -> a goroutines event (repeat it: a growing leak also gets a goroutine_leak finding)
  curl -s '$t1/fault/deadlock'           # lock-order deadlock on demo-shop-1 -> a deadlock event (~20 s)
  curl -s '$t2/fault/cgo?n=30'           # 30 threads stuck in cgo on demo-shop-2 -> a threads event

Find the culprit:
  curl -s '$api/events?service=demo-shop'                       # what fired, where, with its profile ids
  curl -s '$api/hotspots?profile=PROFILE_ID&limit=5'            # the top functions of one captured profile
  curl -s '$api/hotspots?service=demo-shop&type=cpu&limit=5'     # hottest functions across the fleet (last hour)
  curl -s '$api/functions/instances?service=demo-shop&function=main.burnCPU'   # which instance runs it
  curl -s '$api/diff?service=demo-shop&instance=demo-shop-1&from=now-1m&order=self&hide=std&limit=5'   # what grew
  go tool pprof -top '$api/profiles/PROFILE_ID/pprof'            # the captured profile in pprof
  go tool pprof -top '$api/merged.pprof?service=demo-shop&type=cpu'   # the fleet's CPU, merged

Ctrl-C stops everything.
MSG
wait
