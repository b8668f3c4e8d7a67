/**
 * Ingest throughput, end to end: real CPU profiles captured from the Go fault fixtures are streamed
 * over gRPC (8 streams, as 8 agents would, 64 messages in flight each) into the aggregator on a
 * private ClickHouse server; the clock stops when the last one is acknowledged (acks come only
 * after the rows are committed). Then the same rows — every row those messages wrote to
 * `profiles`, `stacks` and `samples` — are inserted straight into copies of those tables with
 * `clickhouse-client` (TabSeparated over the native protocol), the fastest way in. Prints both row
 * rates and their ratio (goal ≥ 0.5).
 *
 *   npm run bench:ingest                 (BENCH_PROFILES=3000 by default)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage } from '@stackwatch/contract';
import { cpuSeconds, freePort, openIngestStream, startApp, startClickHouse, startFaultFixtures } from '@stackwatch/testing';

const PROFILES = Number(process.env.BENCH_PROFILES ?? 3000);
/** The agent's flight-recorder window is 10 s: what one shipped CPU profile covers. */
const CAPTURE_SECONDS = Number(process.env.BENCH_CAPTURE_SECONDS ?? 10);
/** Request rate of each fixture's own background traffic while it is profiled. */
const TRAFFIC_RPS = Number(process.env.BENCH_TRAFFIC_RPS ?? 400);
const STREAMS = 8;
const FIXTURES = 4;
const DISTINCT_CAPTURES = 8;
const TABLES = ['profiles', 'stacks', 'samples'] as const;

/**
 * Distinct CPU profiles as the agent ships them: windows of CAPTURE_SECONDS from fixtures serving
 * background traffic, half of them burning CPU in a fault as well.
 */
async function captureCpuProfiles(): Promise<Buffer[]> {
  const fixtures = await startFaultFixtures({ count: FIXTURES, backgroundRps: TRAFFIC_RPS });
  try {
    const captures: Buffer[] = [];
    while (captures.length < DISTINCT_CAPTURES) {
      const round = await Promise.all(
        fixtures.map(async (fixture, i) => {
          if (i % 2 === 0) await fixture.get(`/fault/cpu?seconds=${Math.max(1, Math.floor(CAPTURE_SECONDS / 2))}&workers=1`);
          const profile = await fixture.get(`/debug/pprof/profile?seconds=${CAPTURE_SECONDS}`, (CAPTURE_SECONDS + 15) * 1000);
          if (profile.status !== 200) throw new Error(`CPU profile: HTTP ${profile.status}`);
          return profile.body;
        }),
      );
      captures.push(...round);
    }
    return captures.slice(0, DISTINCT_CAPTURES);
  } finally {
    await Promise.all(fixtures.map((f) => f.stop()));
  }
}

function clickhouseClient(): string[] {
  for (const candidate of [['clickhouse-client'], ['clickhouse', 'client']]) {
    if (spawnSync(candidate[0], [...candidate.slice(1), '--version']).status === 0) return candidate;
  }
  throw new Error('clickhouse-client is not installed (apt-get install clickhouse-client)');
}

async function main(): Promise<void> {
  const captures = await captureCpuProfiles();
  const clickhouse = await startClickHouse();
  const work = mkdtempSync(join(tmpdir(), 'stackwatch-bench-ingest-'));
  try {
    const grpcPort = await freePort();
    const aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', `127.0.0.1:${grpcPort}`, '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/stackwatch`],
      /HTTP on (http:\/\/\S+)/,
    );
    const now = Date.now();
    const messages: AgentMessage[] = Array.from({ length: PROFILES }, (_, i) => ({
      profile: {
        id: `bench-${i}`,
        target: { service: 'bench', instance: `instance-${i % 50}`, labels: {}, pid: 1000 + (i % 50), go_version: 'go1.26.8', url: '' },
        type: 'cpu',
        pprof_gzip: captures[i % captures.length],
        start_unix_ms: now - (i % 3600) * 1000,
        duration_ms: CAPTURE_SECONDS * 1000,
        trigger: { baseline: {} },
      },
    }));

    let e2eSeconds: number;
    // CPU each side spent in the end-to-end window: the machine's cores are shared by all three.
    const cpu = { aggregator: 0, clickhouse: 0, agents: 0 };
    try {
      const streams = Array.from({ length: STREAMS }, () => openIngestStream(`127.0.0.1:${grpcPort}`));
      await Promise.all(streams.map((s, i) => s.hello(undefined, `bench-agent-${i}`)));
      const clickhousePid = clickhouse.pid()!;
      const cpuBefore = { aggregator: cpuSeconds(aggregator.pid), clickhouse: cpuSeconds(clickhousePid), agents: process.cpuUsage() };
      const started = performance.now();
      const results = await Promise.all(streams.map((s, i) => s.sendAll(messages.filter((_, m) => m % STREAMS === i), { window: 64, timeoutMs: 600_000 })));
      e2eSeconds = (performance.now() - started) / 1000;
      const agentsCpu = process.cpuUsage(cpuBefore.agents);
      cpu.aggregator = cpuSeconds(aggregator.pid) - cpuBefore.aggregator;
      cpu.clickhouse = cpuSeconds(clickhousePid) - cpuBefore.clickhouse;
      cpu.agents = (agentsCpu.user + agentsCpu.system) / 1e6;
      for (const s of streams) s.close();
      const rejected = results.reduce((n, r) => n + r.rejected, 0);
      if (rejected > 0) throw new Error(`${rejected} messages were rejected`);
    } finally {
      await aggregator.stop();
    }

    // What the rows cost on disk (the sizing figures of docs/deploy.md), after merges settle.
    await clickhouse.query('OPTIMIZE TABLE stackwatch.samples FINAL');
    const storage = (await clickhouse.query(
      `SELECT table, sum(rows), sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.parts WHERE database = 'stackwatch' AND active AND table IN ('profiles', 'stacks', 'samples') GROUP BY table ORDER BY table FORMAT TabSeparated`,
    ))
      .trim()
      .split('\n')
      .map((line) => {
        const [table, rows, compressed, uncompressed] = line.split('\t');
        return { table, rows: Number(rows), compressedBytesPerRow: +(Number(compressed) / Number(rows)).toFixed(1), uncompressedBytesPerRow: +(Number(uncompressed) / Number(rows)).toFixed(1) };
      });
    const rowCounts: Record<string, number> = {};
    for (const table of TABLES) rowCounts[table] = Number((await clickhouse.query(`SELECT count() FROM stackwatch.${table}`)).trim());
    const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);

    // The same rows, straight in: dumped as TSV, inserted into copies of the tables.
    const client = clickhouseClient();
    let rawSeconds = 0;
    for (const table of TABLES) {
      const file = join(work, `${table}.tsv`);
      writeFileSync(file, await clickhouse.query(`SELECT * FROM stackwatch.${table} FORMAT TabSeparated`));
      await clickhouse.query(`CREATE TABLE stackwatch.${table}_raw AS stackwatch.${table}`);
      const started = performance.now();
      const run = spawnSync(
        'sh',
        ['-c', `${client.join(' ')} --host 127.0.0.1 --port ${clickhouse.tcpPort} --query "INSERT INTO stackwatch.${table}_raw FORMAT TabSeparated" < "${file}"`],
        { encoding: 'utf8' },
      );
      rawSeconds += (performance.now() - started) / 1000;
      if (run.status !== 0) throw new Error(`clickhouse-client: ${run.stderr}`);
      const copied = Number((await clickhouse.query(`SELECT count() FROM stackwatch.${table}_raw`)).trim());
      if (copied !== rowCounts[table]) throw new Error(`${table}: ${copied} rows copied, ${rowCounts[table]} expected`);
    }

    const e2eRate = rows / e2eSeconds;
    const rawRate = rows / rawSeconds;
    console.log(
      JSON.stringify(
        {
          profiles: PROFILES,
          distinctCaptures: captures.length,
          captureSeconds: CAPTURE_SECONDS,
          trafficRps: TRAFFIC_RPS,
          meanProfileBytes: Math.round(captures.reduce((n, c) => n + c.length, 0) / captures.length),
          streams: STREAMS,
          rowsWritten: rowCounts,
          endToEndSeconds: +e2eSeconds.toFixed(2),
          endToEndRowsPerSecond: Math.round(e2eRate),
          endToEndProfilesPerSecond: Math.round(PROFILES / e2eSeconds),
          // Cores busy on average during the end-to-end run, per process (the 8 simulated agents are this one).
          endToEndCores: Object.fromEntries(Object.entries(cpu).map(([who, seconds]) => [who, +(seconds / e2eSeconds).toFixed(2)])),
          aggregatorCpuMsPerProfile: +((cpu.aggregator * 1000) / PROFILES).toFixed(2),
          rawInsertSeconds: +rawSeconds.toFixed(2),
          rawInsertRowsPerSecond: Math.round(rawRate),
          ratio: +(e2eRate / rawRate).toFixed(2),
          storage,
        },
        null,
        2,
      ),
    );
  } finally {
    await clickhouse.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
