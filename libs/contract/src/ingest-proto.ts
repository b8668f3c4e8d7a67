import { join } from 'node:path';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/ingest';

/** Root of the versioned .proto files (same path from src/ and dist/). */
export const PROTO_ROOT = join(__dirname, '..', '..', '..', 'proto');
export const INGEST_PROTO_FILE = 'stackwatch/v1/ingest.proto';
export const INGEST_SERVICE_NAME = 'stackwatch.v1.Ingest';

/**
 * How messages map to JavaScript. scripts/proto-gen.sh passes the same choices to the type
 * generator, so the generated types describe exactly what the loader produces.
 * int64 become numbers: every int64 of the contract is a millisecond time, a duration or a
 * count, all far below 2^53; pprof's own int64 values travel inside the opaque pprof bytes.
 */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

let cached: ProtoGrpcType | undefined;

/** The loaded `stackwatch.v1` package: service definition and message types. */
export function loadIngestProto(): ProtoGrpcType {
  if (!cached) {
    const definition = loadSync(INGEST_PROTO_FILE, PROTO_LOADER_OPTIONS);
    cached = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}

/** The raw grpc-js object tree, for callers (NestJS) that take a package definition path instead. */
export function ingestProtoPath(): string {
  return join(PROTO_ROOT, INGEST_PROTO_FILE);
}

export type { GrpcObject };
