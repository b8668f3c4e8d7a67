import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackHash } from '@stackwatch/pprof';
import { startClickHouse, waitFor, type ClickHouseServer } from '@stackwatch/testing';
import { ClickHouseStore } from '../../../apps/aggregator/src/store/clickhouse-store';
import { describeProfileStoreContract } from '../../../apps/aggregator/src/store/profile-store.contract';
import type { IngestBatch } from '../../../apps/aggregator/src/store/profile-store';

/**
 * Two ClickHouse servers as a 2-shard cluster (no ZooKeeper, so no ON CLUSTER: the store creates
 * the local tables on each host itself). Each server must name both servers' TCP ports in
 * remote_servers, but startClickHouse picks its ports at start, so the cluster cannot be in
 * extraConfigXml: it is written to each server's config.d once both are up, and ClickHouse
 * reloads remote_servers while running.
 */
const CLUSTER = 'stackwatch_two_shards';
let shards: ClickHouseServer[] = [];
let databases = 0;

function clusterXml(servers: readonly ClickHouseServer[]): string {
  const shardXml = servers.map((s) => `<shard><replica><host>127.0.0.1</host><port>${s.tcpPort}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>\n<yandex><remote_servers><${CLUSTER}>${shardXml}</${CLUSTER}></remote_servers></yandex>\n`;
}

beforeAll(async () => {
  shards = await Promise.all([startClickHouse(), startClickHouse()]);
  for (const server of shards) {
    mkdirSync(join(server.dataDir, 'config.d'), { recursive: true });
    writeFileSync(join(server.dataDir, 'config.d', 'cluster.xml'), clusterXml(shards));
  }
  for (const server of shards) {
    await waitFor(
      `${server.url} to load the ${CLUSTER} cluster`,
      async () => (await server.query(`SELECT count() FROM system.clusters WHERE cluster = '${CLUSTER}'`)).trim() === '2',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
});

afterAll(async () => {
  await Promise.all(shards.map((s) => s.stop()));
});

/** The HTTP URL of a host system.clusters names by TCP port. */
function hostUrl(host: { tcpPort: number }): string {
  const server = shards.find((s) => s.tcpPort === host.tcpPort);
  if (!server) throw new Error(`no test server has TCP port ${host.tcpPort}`);
  return server.url;
}

function clusterStore(database: string): ClickHouseStore {
  return new ClickHouseStore({ url: shards[0].url, database, cluster: CLUSTER, hostUrl });
}

async function dropEverywhere(database: string): Promise<void> {
  await Promise.all(shards.map((s) => s.query(`DROP DATABASE IF EXISTS ${database}`)));
}

describeProfileStoreContract('ClickHouse cluster (2 shards, Distributed tables)', async () => {
  const database = `cluster_${++databases}`;
  const open = async () => {
    const store = clusterStore(database);
    await store.init();
    return store;
  };
  let current = await open();
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await dropEverywhere(database);
    },
  };
});

describe('ClickHouse cluster specifics', () => {
  const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

  it('creates the local and Distributed tables on every shard and records the schema on each', async () => {
    const database = `cluster_${++databases}`;
    const store = clusterStore(database);
    try {
      await store.init();
      for (const server of shards) {
        const tables = await server.query(`SELECT name, engine FROM system.tables WHERE database = '${database}' ORDER BY name FORMAT TSV`);
        expect(tables).toContain('samples\tDistributed\n');
        expect(tables).toContain('samples_local\tReplacingMergeTree\n');
        expect(tables).toContain('stacks_local\tReplacingMergeTree\n');
        expect(await server.query(`SELECT version FROM ${database}.schema_migrations FORMAT TSV`)).toBe('1\n');
      }
      expect((await store.clusterHosts()).map((h) => [h.shard, h.isLocal])).toEqual([
        [1, true],
        [2, false],
      ]);
    } finally {
      await store.close();
      await dropEverywhere(database);
    }
  });

  it('keeps every stack on the shard that holds its samples, and spreads stacks over both shards', async () => {
    const database = `cluster_${++databases}`;
    const store = clusterStore(database);
    try {
      await store.init();
      const batches: IngestBatch[] = Array.from({ length: 4 }, (_, p) => {
        const stacks = Array.from({ length: 50 }, (__, i) => {
          const frames = ['runtime.main', `main.handler${i}`, `main.leaf${(i * 7 + p) % 60}`];
          return { service: 'checkout', hash: stackHash(frames), frames };
        });
        const id = `p${p}`;
        return {
          messageId: `m${p}`,
          timeMs: T0,
          profiles: [
            {
              id,
              service: 'checkout',
              instance: `pod-${p}`,
              labels: {},
              pid: 1,
              goVersion: 'go1.26',
              type: 'cpu',
              startMs: T0 + p,
              durationMs: 1000,
              trigger: { kind: 'baseline' },
              sampleTypes: [{ type: 'cpu', unit: 'nanoseconds' }],
              pprofGzip: new Uint8Array([1, 2, 3]),
            },
          ],
          stacks,
          samples: stacks.map((s, i) => ({
            service: 'checkout',
            instance: `pod-${p}`,
            profileId: id,
            profileType: 'cpu',
            sampleType: 'cpu',
            timeMs: T0 + p,
            stackHash: s.hash,
            value: i + 1,
          })),
        };
      });
      await store.write(batches);
      const perShard = await Promise.all(
        shards.map(async (server) => ({
          samples: new Set((await server.query(`SELECT DISTINCT stack_hash FROM ${database}.samples_local FORMAT TSV`)).split('\n').filter(Boolean)),
          stacks: new Set((await server.query(`SELECT DISTINCT stack_hash FROM ${database}.stacks_local FORMAT TSV`)).split('\n').filter(Boolean)),
        })),
      );
      for (const shard of perShard) {
        expect(shard.samples.size).toBeGreaterThan(0);
        expect([...shard.samples].filter((h) => !shard.stacks.has(h))).toEqual([]);
      }
      const [a, b] = perShard;
      expect([...a.samples].filter((h) => b.samples.has(h))).toEqual([]);
      // Through the Distributed tables: every stack with its frames, summed over the 4 profiles.
      const totals = await store.stackTotals({ fromMs: T0, toMs: T0 + 1000, service: 'checkout', profileType: 'cpu', sampleType: 'cpu' }, 1000);
      expect(totals.reduce((sum, t) => sum + t.value, 0)).toBe(4 * ((50 * 51) / 2));
      expect(totals.every((t) => t.frames.length === 3 && stackHash(t.frames) === t.hash)).toBe(true);
    } finally {
      await store.close();
      await dropEverywhere(database);
    }
  });

  it('dropBefore drops the old day partitions on every shard', async () => {
    const database = `cluster_${++databases}`;
    const store = clusterStore(database);
    try {
      await store.init();
      const day = 86_400_000;
      await store.write(
        [T0 - 2 * day, T0].map((t, i) => ({
          messageId: `m${i}`,
          timeMs: t,
          metrics: Array.from({ length: 20 }, (_, k) => ({ service: 'checkout', instance: `pod-${k}`, name: 'cpu_percent', value: k, timeMs: t })),
        })),
      );
      const partitions = () =>
        Promise.all(
          shards.map((s) => s.query(`SELECT DISTINCT partition_id FROM system.parts WHERE database = '${database}' AND table = 'metrics_local' AND active ORDER BY partition_id FORMAT TSV`)),
        );
      expect(await partitions()).toEqual(['20261124\n20261126\n', '20261124\n20261126\n']);
      expect(await store.dropBefore(T0)).toEqual(['2026-11-24']);
      expect(await partitions()).toEqual(['20261126\n', '20261126\n']);
    } finally {
      await store.close();
      await dropEverywhere(database);
    }
  });
});
