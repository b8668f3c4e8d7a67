import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../../../apps/aggregator/src/store/duckdb-store';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';
import { describeProfileStoreContract } from '../../../apps/aggregator/src/store/profile-store.contract';
import type { ProfileStore } from '../../../apps/aggregator/src/store/profile-store';
import { sqlLiterals } from '../../../apps/aggregator/src/store/sql-literal';

/** A fresh DuckDB file in its own temporary directory. */
async function openTemp(): Promise<{ store: ProfileStore; path: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-duckdb-'));
  const path = join(dir, 'data', 'stackwatch.duckdb');
  const store = await openProfileStore({ kind: 'duckdb', path });
  return { store, path, dir };
}

describeProfileStoreContract('DuckDB', async () => {
  const { store, path, dir } = await openTemp();
  let current = store;
  return {
    store,
    reopen: async () => {
      await current.close();
      current = await openProfileStore({ kind: 'duckdb', path });
      return current;
    },
    cleanup: async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('DuckDB store specifics', () => {
  it('round-trips hostile string literals through a real DuckDB', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const lit = sqlLiterals('duckdb');
      const values = ["it's", "''", 'back\\slash', "'; DROP TABLE x; --", 'line\nbreak\r\ttab\b\f', 'naïve 服务 🚀', '\\\'', ''];
      for (const value of values) {
        const reader = await connection.runAndReadAll(`SELECT ${lit.string(value)} AS v, ${lit.strings([value, 'x'])} AS a`);
        expect(reader.getRowObjectsJS()).toEqual([{ v: value, a: [value, 'x'] }]);
      }
      const reader = await connection.runAndReadAll(
        `SELECT ${lit.date('2026-11-26')} = DATE '2026-11-26' AS d, epoch_ms(${lit.dateTime(1_764_115_200_999)}) AS t, ${lit.number(-1.5)} AS n, ${lit.integer(2n ** 63n - 1n)} AS i`,
      );
      expect(reader.getRowObjectsJS()).toEqual([{ d: true, t: 1_764_115_200_000n, n: -1.5, i: 2n ** 63n - 1n }]);
      expect(() => lit.string('nul\0inside')).toThrow(/NUL/);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('records the applied schema version and creates the file and its directory', async () => {
    const { store, path, dir } = await openTemp();
    try {
      await store.close();
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      const versions = (await connection.runAndReadAll('SELECT version, name FROM schema_migrations ORDER BY version')).getRowObjectsJS();
      const tables = (await connection.runAndReadAll("SELECT table_name FROM information_schema.tables ORDER BY table_name")).getRowObjectsJS().map((r) => r.table_name);
      connection.closeSync();
      instance.closeSync();
      expect(versions).toEqual([{ version: 1, name: 'initial schema' }]);
      expect(tables).toEqual(['events', 'ingested', 'metrics', 'profiles', 'samples', 'schema_migrations', 'stacks', 'statuses']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second store on a file this process already has open, and allows it once closed', async () => {
    const { store, path, dir } = await openTemp();
    try {
      await expect(DuckDbStore.open(path)).rejects.toThrow(/already open in this process/);
      await store.close();
      const again = await DuckDbStore.open(path);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a cluster option and an unusable path with a clear error', async () => {
    await expect(openProfileStore({ kind: 'duckdb', path: '/tmp/x.duckdb' }, { cluster: 'c' })).rejects.toThrow(/needs a clickhouse:\/\/ store/);
    await expect(DuckDbStore.open('')).rejects.toThrow(/invalid file path/);
  });
});
