import { createClient } from '@clickhouse/client';
import { stackHash } from '@stackwatch/pprof';
import { startClickHouse, type ClickHouseServer } from '@stackwatch/testing';
import { tablesText } from '../../../apps/aggregator/src/store/clickhouse-rows';
import { ClickHouseStore } from '../../../apps/aggregator/src/store/clickhouse-store';
import type { IngestBatch, SampleFilter } from '../../../apps/aggregator/src/store/profile-store';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';
import { describeProfileStoreContract } from '../../../apps/aggregator/src/store/profile-store.contract';
import { sqlLiterals } from '../../../apps/aggregator/src/store/sql-literal';

let server: ClickHouseServer;
let databases = 0;

beforeAll(async () => {
  server = await startClickHouse();
});

afterAll(async () => {
  await server?.stop();
});

/** A store on a database of its own, opened the way the aggregator opens it. */
async function openFresh(): Promise<{ store: ClickHouseStore; database: string; reopen: () => Promise<ClickHouseStore> }> {
  const database = `contract_${++databases}`;
  const open = async () =>
    (await openProfileStore({ kind: 'clickhouse', url: server.url, database, username: 'default', password: '' })) as ClickHouseStore;
  return { store: await open(), database, reopen: open };
}

describeProfileStoreContract('ClickHouse', async () => {
  const { store, database, reopen } = await openFresh();
  let current = store;
  return {
    store,
    reopen: async () => {
      await current.close();
      current = await reopen();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await server.query(`DROP DATABASE IF EXISTS ${database}`);
    },
  };
});

describe('ClickHouse store specifics', () => {
  it('round-trips hostile string literals through a real ClickHouse', async () => {
    const lit = sqlLiterals('clickhouse');
    const values = ["it's", "''", 'back\\slash', "'; DROP TABLE x; --", 'nul\0inside', 'line\nbreak\r\ttab\b\f', 'naïve 服务 🚀', '\\\'', '\\0', ''];
    const client = createClient({ url: server.url });
    try {
      for (const value of values) {
        const result = await client.query({ query: `SELECT ${lit.string(value)} AS v, ${lit.strings([value, 'x'])} AS a`, format: 'JSONEachRow' });
        expect(await result.json()).toEqual([{ v: value, a: [value, 'x'] }]);
      }
      const result = await client.query({
        query: `SELECT ${lit.date('2026-11-26')} = toDate('2026-11-26') AS d, toUInt32(${lit.dateTime(1_764_115_200_999)}) AS t, ${lit.number(-1.5)} AS n, ${lit.integer(2n ** 63n - 1n)} AS i`,
        format: 'JSONEachRow',
      });
      expect(await result.json()).toEqual([{ d: 1, t: 1_764_115_200, n: -1.5, i: '9223372036854775807' }]);
    } finally {
      await client.close();
    }
  });

  it('records the applied schema version and creates every table of deploy/clickhouse/001_schema.sql', async () => {
    const { store, database } = await openFresh();
    try {
      await store.init();
      expect(await server.query(`SELECT version, name FROM ${database}.schema_migrations FORMAT TSV`)).toBe('1\tschema\n');
      expect(await server.query(`SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name FORMAT TSV`)).toBe(
        'events\ningested\nmetrics\nprofiles\nsamples\nschema_migrations\nstacks\nstatuses\n',
      );
      expect((await store.serverVersion()).text).toMatch(/^\d+\.\d+/);
    } finally {
      await store.close();
      await server.query(`DROP DATABASE ${database}`);
    }
  });

  const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
  const filter: SampleFilter = { fromMs: T0 - 3_600_000, toMs: T0 + 3_600_000, service: 'checkout', profileType: 'cpu', sampleType: 'cpu' };

  /** One profile message: `stacks` frames → values. */
  function message(messageId: string, profileId: string, instance: string, stacks: readonly (readonly [string[], number])[]): IngestBatch {
    const rows = stacks.map(([frames, value]) => ({ frames, hash: stackHash(frames), value }));
    return {
      messageId,
      timeMs: T0,
      profiles: [
        {
          id: profileId,
          service: 'checkout',
          instance,
          labels: {},
          pid: 1,
          goVersion: 'go1.26',
          type: 'cpu',
          startMs: T0,
          durationMs: 1000,
          trigger: { kind: 'baseline' },
          sampleTypes: [{ type: 'cpu', unit: 'nanoseconds' }],
          pprofGzip: new Uint8Array([1, 2, 3]),
        },
      ],
      stacks: rows.map((r) => ({ service: 'checkout', hash: r.hash, frames: r.frames })),
      samples: rows.map((r) => ({ service: 'checkout', instance, profileId, profileType: 'cpu', sampleType: 'cpu', timeMs: T0, stackHash: r.hash, value: r.value })),
    };
  }

  /** Inserts rows the way a write does, stopping where a crashed aggregator would have. */
  async function crashedWrite(database: string, batch: IngestBatch, upTo: 'samples' | 'profiles'): Promise<void> {
    const text = tablesText([batch]);
    const insert = (table: string, chunks: readonly string[]) => server.query(`INSERT INTO ${database}.${table} FORMAT JSONEachRow\n${chunks.join('')}`);
    await insert('samples', text.samples.chunks);
    if (upTo === 'profiles') await insert('profiles', text.profiles.chunks);
  }

  it('two aggregators writing one message at once store it once in every answer', async () => {
    const { store: a, database } = await openFresh();
    const b = new ClickHouseStore({ url: server.url, database });
    try {
      const batch = { ...message('m-dup', 'p-dup', 'pod-a', [[['main', 'hot'], 100], [['main', 'cold'], 1]]), events: [], metrics: [] };
      const [idsA, idsB] = await Promise.all([a.write([batch]), b.write([batch])]);
      expect(new Set([...idsA, ...idsB])).toEqual(new Set(['m-dup']));
      const expected = [
        { hash: stackHash(['main', 'hot']), frames: ['main', 'hot'], value: 100, instances: 1 },
        { hash: stackHash(['main', 'cold']), frames: ['main', 'cold'], value: 1, instances: 1 },
      ];
      for (const store of [a, b]) {
        expect(await store.stackTotals(filter, 10)).toEqual(expected);
        expect(await store.instanceTotals(filter)).toEqual([{ service: 'checkout', instance: 'pod-a', value: 101, profiles: 1 }]);
        expect((await store.profiles({ ...filter, limit: 10 })).map((p) => p.id)).toEqual(['p-dup']);
      }
      // Each aggregator that saw the id as new stored its own copy (both, unless one's ledger
      // check came after the other's commit): the rows are there twice, the answers count once.
      const copies = idsA.size + idsB.size;
      expect(Number(await server.query(`SELECT count() FROM ${database}.samples`))).toBe(2 * copies);
      expect(Number(await server.query(`SELECT uniqExact(copy_id) FROM ${database}.profiles`))).toBe(copies);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await server.query(`DROP DATABASE ${database}`);
    }
  });

  it('a message re-sent after a crash counts once: a partial copy is invisible, a complete unacknowledged one is not doubled', async () => {
    const { store, database } = await openFresh();
    try {
      const partial = message('m-partial', 'p-partial', 'pod-a', [[['main', 'a'], 5]]);
      const complete = message('m-complete', 'p-complete', 'pod-b', [[['main', 'b'], 7]]);
      await crashedWrite(database, partial, 'samples'); // died before the profile row
      await crashedWrite(database, complete, 'profiles'); // died before the ledger row
      expect((await store.stackTotals(filter, 10)).map((t) => t.value)).toEqual([7]);
      // The agents re-send both (no ack came); each is stored as new and counted once.
      expect([...(await store.write([partial, complete]))].sort()).toEqual(['m-complete', 'm-partial']);
      expect((await store.stackTotals(filter, 10)).map((t) => [t.frames[1], t.value, t.instances])).toEqual([
        ['b', 7, 1],
        ['a', 5, 1],
      ]);
      expect(await store.instanceTotals(filter)).toEqual([
        { service: 'checkout', instance: 'pod-b', value: 7, profiles: 1 },
        { service: 'checkout', instance: 'pod-a', value: 5, profiles: 1 },
      ]);
    } finally {
      await store.close();
      await server.query(`DROP DATABASE ${database}`);
    }
  });

  it('writes a stack once per (service, hash, day) however many messages carry it', async () => {
    const { store, database } = await openFresh();
    try {
      const frames = ['main', 'shared'];
      await store.write([message('m-s1', 'p-s1', 'pod-a', [[frames, 1]])]);
      await store.write([message('m-s2', 'p-s2', 'pod-b', [[frames, 2]]), message('m-s3', 'p-s3', 'pod-c', [[frames, 3]])]);
      expect(await server.query(`SELECT count() FROM ${database}.stacks FORMAT TSV`)).toBe('1\n');
      expect((await store.stackTotals(filter, 10)).map((t) => [t.value, t.instances])).toEqual([[6, 3]]);
    } finally {
      await store.close();
      await server.query(`DROP DATABASE ${database}`);
    }
  });

  it('dropBefore removes whole partitions (system.parts) of every table', async () => {
    const { store, database } = await openFresh();
    try {
      const day = 86_400_000;
      const old = { ...message('m-old', 'p-old', 'pod-a', [[['main'], 1]]), timeMs: T0 - day };
      const oldAt = (b: IngestBatch): IngestBatch => ({
        ...b,
        profiles: b.profiles!.map((p) => ({ ...p, startMs: T0 - day })),
        samples: b.samples!.map((s) => ({ ...s, timeMs: T0 - day })),
        metrics: [{ service: 'checkout', instance: 'pod-a', name: 'cpu_percent', value: 1, timeMs: T0 - day }],
      });
      await store.write([oldAt(old), message('m-new', 'p-new', 'pod-a', [[['main'], 2]])]);
      const partitions = async () =>
        (await server.query(`SELECT DISTINCT table, partition_id FROM system.parts WHERE database = '${database}' AND active AND table != 'schema_migrations' ORDER BY table, partition_id FORMAT TSV`)).trim().split('\n');
      expect(await partitions()).toEqual([
        'ingested\t20261125',
        'ingested\t20261126',
        'metrics\t20261125',
        'profiles\t20261125',
        'profiles\t20261126',
        'samples\t20261125',
        'samples\t20261126',
        'stacks\t20261125',
        'stacks\t20261126',
      ]);
      expect(await store.dropBefore(T0)).toEqual(['2026-11-25']);
      expect(await partitions()).toEqual(['ingested\t20261126', 'profiles\t20261126', 'samples\t20261126', 'stacks\t20261126']);
    } finally {
      await store.close();
      await server.query(`DROP DATABASE ${database}`);
    }
  });

  it('names a missing cluster and a bad database name clearly', async () => {
    const missing = new ClickHouseStore({ url: server.url, database: 'nowhere', cluster: 'no_such_cluster' });
    await expect(missing.init()).rejects.toThrow(/cluster "no_such_cluster" is not in system.clusters/);
    await missing.close();
    expect(() => new ClickHouseStore({ url: server.url, database: 'bad-name' })).toThrow(/not letters, digits and _/);
  });
});
