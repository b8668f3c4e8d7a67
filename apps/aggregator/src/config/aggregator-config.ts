import { optional, parseDuration, parseHostPort, parseInteger, toggle, ValueError, withDefault, type ConfigOf } from '@stackwatch/config';
import { parseStoreUrl } from './store-url';

const text = (s: string) => s;
const path = (s: string) => s;
const clusterName = (s: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(s)) throw new ValueError('a ClickHouse cluster name (letters, digits and _)');
  return s;
};
const retention = (s: string) => {
  const ms = parseDuration(s);
  if (ms < 86_400_000) throw new ValueError('a duration of at least 1d (whole days are dropped)');
  return ms;
};

/** Every option of stackwatch-aggregator; --help, env vars and config files all come from here. */
export const aggregatorOptions = {
  grpcListen: withDefault('address of the gRPC ingest endpoint agents stream to', 'HOST:PORT', parseHostPort, '127.0.0.1:7171'),
  httpListen: withDefault('address of the REST API, web UI, /metrics, /healthz and /readyz', 'HOST:PORT', parseHostPort, '127.0.0.1:7172'),
  store: withDefault(
    'where data is stored: duckdb:PATH (embedded) or clickhouse://[user[:password]@]host:port/database (HTTP port)',
    'URL',
    parseStoreUrl,
    'duckdb:./stackwatch-data/stackwatch.duckdb',
  ),
  clickhouseCluster: optional('ClickHouse cluster name: local tables on every shard plus Distributed tables', 'NAME', clusterName),
  clickhouseReplicated: toggle('with --clickhouse-cluster: ReplicatedReplacingMergeTree local tables (replicas through ZooKeeper/Keeper)', false),
  retention: withDefault('how long data is kept; older day partitions are dropped', 'DURATION', retention, '7d'),
  token: optional('bearer token agents must send', 'TOKEN', text),
  apiToken: optional('token the REST API and web UI require (Authorization: Bearer, or basic auth with it as password)', 'TOKEN', text),
  apiRateLimit: withDefault('REST requests per second each client address may make (bursts up to twice that); 0: no limit', 'N', (s) => parseInteger(s, 0, 1_000_000), '50'),
  tlsCert: optional('server certificate (PEM) for gRPC; enables TLS', 'FILE', path),
  tlsKey: optional('server private key (PEM) for gRPC', 'FILE', path),
  tlsClientCa: optional('CA (PEM) that agent certificates must chain to: mutual TLS', 'FILE', path),
};

export type AggregatorConfig = ConfigOf<typeof aggregatorOptions>;
