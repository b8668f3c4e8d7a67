/**
 * Query latency over 10 million samples on ClickHouse, through the REST API: the hotspot, flame
 * graph and diff queries a person runs first. The data is one service's CPU profiles over six
 * hours — 50 instances, one profile per instance every 5 minutes (the agent's baseline period) —
 * whose stacks are the real stacks of the captured Go CPU profiles (test/fixtures/profiles), each
 * given one of 100 leaf handlers so a service has thousands of distinct stacks, as real ones do. It is written through the store's own
 * write() (the ingest path's last step), then each query runs once to warm up and
 * `BENCH_QUERY_RUNS` times (default 5) measured. Goal: each under 300 ms.
 *
 *   npm run bench:query                    (BENCH_SAMPLES=10000000 by default)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProfileStore } from '@stackwatch/aggregator-app/dist/store/open-store';
import type { IngestBatch, ProfileStore, SampleRecord, StackRecord } from '@stackwatch/aggregator-app/dist/store/profile-store';
import { decodeProfile, stackHash } from '@stackwatch/pprof';
import { startApp, startClickHouse, waitFor } from '@stackwatch/testing';

const TARGET_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 10_000_000);
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 5);
const INSTANCES = 50;
const PROFILE_EVERY_MS = 300_000;
const HOURS = 6;
const LEAVES = 100;
const PROFILES_PER_WRITE = 20;

const fixtures = join(__dirname, '..', '..', 'test', 'fixtures', 'profiles');

interface StackShape {
  readonly frames: readonly string[];
  readonly hash: string;
  readonly cpuNanos: number;
}

/** Real CPU stacks, each extended by synthetic leaf handlers: thousands of distinct stacks. */
function stackShapes(): { shapes: StackShape[]; pprof: Buffer } {
  const pprof = readFileSync(join(fixtures, 'go1.26-cpu.pb.gz'));
  const shapes: StackShape[] = [];
  for (const file of ['go1.26-cpu.pb.gz', 'go1.19-cpu.pb.gz']) {
    const profile = decodeProfile(readFileSync(join(fixtures, file)));
    const cpu = profile.sampleTypes.findIndex((t) => t.type === 'cpu');
    for (const stack of profile.stacks) {
      for (let leaf = 0; leaf < LEAVES; leaf++) {
        const frames = [...stack.frames, `main.handler${leaf}`];
        shapes.push({ frames, hash: stackHash(frames), cpuNanos: Number(stack.values[cpu] ?? 0n) || 10_000_000 });
      }
    }
  }
  return { shapes, pprof };
}

/** Writes profiles until TARGET_SAMPLES samples exist; returns the window they cover. */
async function fill(store: ProfileStore): Promise<{ fromMs: number; toMs: number; samples: number; profiles: number; stacks: number }> {
  const { shapes, pprof } = stackShapes();
  const profilesWanted = ((HOURS * 3_600_000) / PROFILE_EVERY_MS) * INSTANCES;
  const stacksPerProfile = Math.min(shapes.length, Math.ceil(TARGET_SAMPLES / profilesWanted / 2));
  const toMs = Math.floor(Date.now() / 1000) * 1000;
  const fromMs = toMs - HOURS * 3_600_000;
  let samples = 0;
  let profiles = 0;
  let batch: IngestBatch[] = [];
  const flush = async () => {
    if (batch.length > 0) await store.write(batch);
    batch = [];
  };
  for (let t = fromMs; t < toMs && samples < TARGET_SAMPLES; t += PROFILE_EVERY_MS) {
    for (let i = 0; i < INSTANCES && samples < TARGET_SAMPLES; i++) {
      const id = `bench-${t}-${i}`;
      const instance = `instance-${i}`;
      const stacks: StackRecord[] = [];
      const rows: SampleRecord[] = [];
      // A hot core of stacks every profile has, and the rest a slice that moves with each profile:
      // distinct stacks within a profile, different ones across instances and time.
      const hot = Math.floor(stacksPerProfile / 4);
      for (let k = 0; k < stacksPerProfile; k++) {
        const shape = shapes[k < hot ? k : hot + ((k - hot + i * 131 + profiles) % (shapes.length - hot))];
        stacks.push({ service: 'bench', hash: shape.hash, frames: shape.frames });
        const base = { service: 'bench', instance, profileId: id, profileType: 'cpu', timeMs: t, stackHash: shape.hash };
        rows.push({ ...base, sampleType: 'samples', value: Math.max(1, Math.round(shape.cpuNanos / 10_000_000)) }, { ...base, sampleType: 'cpu', value: shape.cpuNanos });
      }
      batch.push({
        messageId: id,
        timeMs: t,
        profiles: [
          {
            id,
            service: 'bench',
            instance,
            labels: {},
            pid: 1000 + i,
            goVersion: 'go1.26.8',
            type: 'cpu',
            startMs: t,
            durationMs: PROFILE_EVERY_MS,
            trigger: { kind: 'baseline' },
            sampleTypes: [
              { type: 'samples', unit: 'count' },
              { type: 'cpu', unit: 'nanoseconds' },
            ],
            pprofGzip: pprof,
          },
        ],
        stacks,
        samples: rows,
      });
      samples += rows.length;
      profiles++;
      if (batch.length >= PROFILES_PER_WRITE) await flush();
    }
  }
  await flush();
  return { fromMs, toMs, samples, profiles, stacks: shapes.length };
}

async function time(url: string): Promise<{ medianMs: number; maxMs: number; firstMs: number; bytes: number }> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}: ${Buffer.from(body).toString()}`);
    return { ms: performance.now() - started, bytes: body.byteLength };
  };
  const first = await once();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push((await once()).ms);
  runs.sort((a, b) => a - b);
  return { medianMs: +runs[Math.floor(runs.length / 2)].toFixed(1), maxMs: +runs.at(-1)!.toFixed(1), firstMs: +first.ms.toFixed(1), bytes: first.bytes };
}

async function main(): Promise<void> {
  const clickhouse = await startClickHouse();
  try {
    const location = { kind: 'clickhouse', url: clickhouse.url, database: 'stackwatch', username: 'default', password: '' } as const;
    const store = await openProfileStore(location);
    const writeStarted = performance.now();
    let data;
    try {
      data = await fill(store);
    } finally {
      await store.close();
    }
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const stored = Number((await clickhouse.query('SELECT count() FROM stackwatch.samples')).trim());
    // Queries run over data hours old, whose parts the server has long merged: wait for the merges
    // of the fill to finish (bounded) rather than time them alongside.
    const mergesStarted = performance.now();
    await waitFor('ClickHouse to finish merging the fill', async () => Number((await clickhouse.query('SELECT count() FROM system.merges')).trim()) === 0, {
      timeoutMs: 300_000,
      intervalMs: 1_000,
    });
    const mergeWaitSeconds = (performance.now() - mergesStarted) / 1000;

    const aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/stackwatch`],
      /HTTP on (http:\/\/\S+)/,
    );
    try {
      await waitFor('the aggregator to be ready', async () => (await fetch(`${aggregator.ready[1]}/readyz`)).status === 200, { timeoutMs: 60_000 });
      const api = `${aggregator.ready[1]}/api/v1`;
      const { fromMs, toMs } = data;
      const middle = fromMs + (toMs - fromMs) / 2;
      const window = `service=bench&type=cpu&from=${fromMs}&to=${toMs}`;
      const results = {
        hotspots: await time(`${api}/hotspots?${window}`),
        flamegraph: await time(`${api}/flamegraph?${window}`),
        diff: await time(`${api}/diff?service=bench&type=cpu&baseFrom=${fromMs}&baseTo=${middle}&from=${middle}&to=${toMs}`),
      };
      console.log(
        JSON.stringify(
          {
            samplesStored: stored,
            profiles: data.profiles,
            distinctStacks: data.stacks,
            instances: INSTANCES,
            windowHours: HOURS,
            writeSeconds: +writeSeconds.toFixed(1),
            writeRowsPerSecond: Math.round(stored / writeSeconds),
            mergeWaitSeconds: +mergeWaitSeconds.toFixed(1),
            runsPerQuery: RUNS,
            queries: results,
          },
          null,
          2,
        ),
      );
    } finally {
      await aggregator.stop();
    }
  } finally {
    await clickhouse.stop();
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
