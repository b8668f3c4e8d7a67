import { ValueError } from '@stackwatch/config';

/** Where the aggregator stores data: the embedded DuckDB file, or a ClickHouse server's database. */
export type StoreLocation =
  | { readonly kind: 'duckdb'; readonly path: string }
  | {
      readonly kind: 'clickhouse';
      /** http://host:port of ClickHouse's HTTP interface. */
      readonly url: string;
      readonly database: string;
      readonly username: string;
      readonly password: string;
    };

const EXPECTED = 'duckdb:PATH or clickhouse://[user[:password]@]host:port/database';
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Parses --store: `duckdb:./stackwatch-data/stackwatch.duckdb` or `clickhouse://user:pw@host:8123/stackwatch`. */
export function parseStoreUrl(text: string): StoreLocation {
  if (text.startsWith('duckdb:')) {
    const path = text.slice('duckdb:'.length);
    if (path === '' || path.includes('\0')) throw new ValueError(EXPECTED);
    return { kind: 'duckdb', path };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueError(EXPECTED);
  }
  if (url.protocol !== 'clickhouse:' || url.hostname === '' || url.port === '' || url.search !== '' || url.hash !== '') throw new ValueError(EXPECTED);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(database)) throw new ValueError(`${EXPECTED} (database: letters, digits and _, not starting with a digit)`);
  return {
    kind: 'clickhouse',
    url: `http://${url.host}`,
    database,
    username: url.username === '' ? 'default' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/** The location without its password, for logs. */
export function describeStore(location: StoreLocation): string {
  return location.kind === 'duckdb' ? `duckdb:${location.path}` : `clickhouse://${location.username}@${location.url.replace('http://', '')}/${location.database}`;
}
