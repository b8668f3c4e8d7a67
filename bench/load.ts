/**
 * Load: BENCH_AGENTS simulated agents (default 200), each on its own gRPC connection, replay the
 * real fixture profiles on an agent's schedule (metrics every 10 s, a CPU window every 20 s, heap
 * and goroutine profiles every 30 s) against one aggregator on a private ClickHouse for
 * BENCH_SECONDS (default 300). Reports errors, rejects, the ingest lag (send → ack) and the
 * aggregator's RSS and CPU every 30 s.
 *
 *   npm run bench:load
 */
import { BUSY_AGENT_SCHEDULE, cpuSeconds, fixtureProfiles, freePort, percentile, rssBytes, runIngestLoad, startApp, startClickHouse } from '@stackwatch/testing';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const REPORT_EVERY_S = 30;

async function main(): Promise<void> {
  const clickhouse = await startClickHouse();
  try {
    const aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', `127.0.0.1:${await freePort()}`, '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/stackwatch`],
      /HTTP on (http:\/\/\S+)/,
    );
    try {
      const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
      const cpuStart = cpuSeconds(aggregator.pid);
      const rows: string[] = [];
      let lastLatencies = 0;
      let lastCpu = cpuStart;
      let lastAcked = 0;
      const result = await runIngestLoad({
        address: grpc,
        agents: AGENTS,
        durationMs: SECONDS * 1000,
        profiles: fixtureProfiles(),
        ...BUSY_AGENT_SCHEDULE,
        onTick: (p) => {
          const second = Math.round(p.elapsedMs / 1000);
          if (second % REPORT_EVERY_S !== 0) return;
          const cpu = cpuSeconds(aggregator.pid);
          const window = p.latenciesMs.slice(lastLatencies);
          rows.push(
            `| ${second} s | ${(rssBytes(aggregator.pid) / 2 ** 20).toFixed(0)} MiB | ${(((cpu - lastCpu) / REPORT_EVERY_S) * 100).toFixed(0)} % | ` +
              `${Math.round((p.acked - lastAcked) / REPORT_EVERY_S)} | ${percentile(window, 50)} ms | ${percentile(window, 99)} ms | ${p.failures.length} |`,
          );
          console.error(rows.at(-1));
          lastLatencies = p.latenciesMs.length;
          lastCpu = cpu;
          lastAcked = p.acked;
        },
      });
      console.log(`${AGENTS} agents, ${SECONDS} s, ClickHouse ${await clickhouse.query('SELECT version()')}`.trim());
      console.log(`messages: ${result.sent} sent, ${result.acked} acked, ${result.rejected} rejected, ${result.failures.length} failures; ${result.profilesSent} profiles`);
      console.log(`lag (send → ack): p50 ${percentile(result.latenciesMs, 50)} ms, p99 ${percentile(result.latenciesMs, 99)} ms, max ${percentile(result.latenciesMs, 100)} ms`);
      console.log(`aggregator CPU: ${(((cpuSeconds(aggregator.pid) - cpuStart) / SECONDS) * 100).toFixed(0)} % of a core on average`);
      console.log('| time | aggregator RSS | aggregator CPU | acks/s | lag p50 | lag p99 | failures so far |');
      console.log('|---|---|---|---|---|---|---|');
      for (const row of rows) console.log(row);
      if (result.failures.length > 0) console.log(`first failures:\n${result.failures.slice(0, 5).join('\n')}`);
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
