import { existsSync } from 'node:fs';
import { createClient } from '@clickhouse/client';
import { startClickHouse, type ClickHouseServer } from '@stackwatch/testing';

describe('private ClickHouse server', () => {
  let server: ClickHouseServer;

  beforeAll(async () => {
    server = await startClickHouse();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers queries on its own port and keeps data in its own directory', async () => {
    expect(server.dataDir).toMatch(/stackwatch-clickhouse-/);
    expect(await server.query('SELECT 1 + 1')).toBe('2\n');
    const version = (await server.query('SELECT version()')).trim();
    expect(version).toMatch(/^\d+\.\d+/);
  });

  it('serves @clickhouse/client inserts and selects (the adapter our store uses)', async () => {
    const client = createClient({ url: server.url });
    try {
      await client.command({ query: 'CREATE TABLE t (d Date, s String, v Int64) ENGINE = MergeTree PARTITION BY d ORDER BY s' });
      await client.insert({
        table: 't',
        values: [
          { d: '2026-11-26', s: 'a', v: '9007199254740993' },
          { d: '2026-11-26', s: 'b', v: '-5' },
        ],
        format: 'JSONEachRow',
      });
      const rows = await client.query({ query: "SELECT s, toString(v) AS v FROM t WHERE d = '2026-11-26' ORDER BY s", format: 'JSONEachRow' });
      expect(await rows.json()).toEqual([
        { s: 'a', v: '9007199254740993' },
        { s: 'b', v: '-5' },
      ]);
    } finally {
      await client.close();
    }
  });

  it('reports ClickHouse errors with the server message', async () => {
    await expect(server.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
  });

  it('stops and removes its data directory', async () => {
    const second = await startClickHouse();
    expect(second.httpPort).not.toBe(server.httpPort);
    await second.stop();
    await expect(second.query('SELECT 1')).rejects.toThrow();
    expect(existsSync(second.dataDir)).toBe(false);
  });
});
