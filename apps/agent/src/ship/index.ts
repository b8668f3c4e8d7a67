export { Spool, type SpoolEntry, type SpoolOptions } from './spool';
export { Shipper, type ShipperOptions } from './shipper';
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
export type { TlsOptions } from './ingest-client';
export { DATA_KINDS, type DataKind } from './agent-message';
