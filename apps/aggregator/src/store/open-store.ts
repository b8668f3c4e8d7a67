import type { StoreLocation } from '../config/store-url';
import { ClickHouseStore } from './clickhouse-store';
import { DuckDbStore } from './duckdb-store';
import type { ProfileStore } from './profile-store';

export interface OpenStoreOptions {
  /** ClickHouse only: the cluster (from `remote_servers`) whose shards hold the data. */
  readonly cluster?: string;
  /** With `cluster`: replicated local tables. */
  readonly replicated?: boolean;
}

/** Opens the configured store and applies its schema: the one place an adapter is chosen. */
export async function openProfileStore(location: StoreLocation, options: OpenStoreOptions = {}): Promise<ProfileStore> {
  let store: ProfileStore;
  if (location.kind === 'duckdb') {
    if (options.cluster !== undefined) throw new Error('--clickhouse-cluster needs a clickhouse:// store, not DuckDB');
    store = await DuckDbStore.open(location.path);
  } else {
    const { url, database, username, password } = location;
    if (options.replicated && options.cluster === undefined) throw new Error('--clickhouse-replicated needs --clickhouse-cluster');
    store = new ClickHouseStore({
      url,
      database,
      username,
      password,
      ...(options.cluster === undefined ? {} : { cluster: options.cluster, replicated: options.replicated ?? false }),
    });
  }
  try {
    await store.init();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
