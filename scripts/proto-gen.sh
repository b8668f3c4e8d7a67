#!/usr/bin/env bash
# Regenerates the TypeScript types of the wire contract from proto/. The generated files are
# committed and never edited; libs/contract/src/contract.spec.ts fails when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-libs/contract/src/generated}
rm -rf "$out"
npx proto-loader-gen-types --keepCase --longs=Number --enums=String --defaults --oneofs \
  --includeComments --grpcLib=@grpc/grpc-js -I proto -O "$out" stackwatch/v1/ingest.proto
