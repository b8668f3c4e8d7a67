export * from './go-toolchain';
export * from './ports';
export * from './wait';
export * from './go-fixture';
export * from './clickhouse-server';
export * from './pprof-tool';
export * from './ingest-test-server';
export * from './app-process';
