import {
  BUSY_AGENT_SCHEDULE,
  fixtureProfiles,
  freePort,
  percentile,
  rssBytes,
  runIngestLoad,
  startApp,
  startClickHouse,
  type AppProcess,
  type ClickHouseServer,
} from '@stackwatch/testing';

/**
 * 200 simulated agents (one gRPC connection each) replaying real fixture profiles on an agent's
 * schedule against one aggregator on ClickHouse, for 45 s (`npm run bench:load` runs
 * the five-minute version and reports the figures): no error and no reject, every message acked,
 * the ingest lag bounded, the aggregator's memory not growing.
 */
const AGENTS = Number(process.env.E2E_LOAD_AGENTS ?? 200);
const SECONDS = Number(process.env.E2E_LOAD_SECONDS ?? 45);
describe(`load: ${AGENTS} agents for ${SECONDS} s against one aggregator on ClickHouse`, () => {
  let clickhouse: ClickHouseServer;
  let aggregator: AppProcess;

  beforeAll(async () => {
    clickhouse = await startClickHouse();
    aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', `127.0.0.1:${await freePort()}`, '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/stackwatch`],
      /HTTP on (http:\/\/\S+)/,
    );
  }, 60_000);

  afterAll(async () => {
    await aggregator?.stop();
    await clickhouse?.stop();
  });

  it('acks everything with no error, bounded lag and flat memory', async () => {
    const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
    const rssMiB: number[] = [];
    const result = await runIngestLoad({
      address: grpc,
      agents: AGENTS,
      durationMs: SECONDS * 1000,
      profiles: fixtureProfiles(),
      ...BUSY_AGENT_SCHEDULE,
      onTick: () => rssMiB.push(rssBytes(aggregator.pid) / 2 ** 20),
    });
    expect(result.failures.slice(0, 5)).toEqual([]);
    expect(result.rejected).toBe(0);
    expect(result.acked).toBe(result.sent);
    expect(result.profilesSent).toBeGreaterThan(AGENTS);
    // Lag: commits are batched every 50 ms; on this shared 2-core machine a few seconds is the bound.
    expect(percentile(result.latenciesMs, 99)).toBeLessThan(5_000);
    // Memory: the last third of the run holds no more than the middle third plus slack.
    const third = Math.floor(rssMiB.length / 3);
    const middle = Math.max(...rssMiB.slice(third, 2 * third));
    const last = Math.max(...rssMiB.slice(2 * third));
    expect(last).toBeLessThan(middle * 1.25 + 20);
    const stored = Number((await clickhouse.query(`SELECT count() FROM stackwatch.profiles WHERE date >= yesterday()`)).trim());
    expect(stored).toBe(result.profilesSent);
    console.log(
      `load: ${AGENTS} agents, ${SECONDS} s: ${result.sent} messages (${result.profilesSent} profiles) acked; ` +
        `lag p50 ${percentile(result.latenciesMs, 50)} ms, p99 ${percentile(result.latenciesMs, 99)} ms, max ${percentile(result.latenciesMs, 100)} ms; ` +
        `aggregator RSS ${Math.round(rssMiB[0])} → ${Math.round(Math.max(...rssMiB))} MiB peak, ${Math.round(rssMiB.at(-1)!)} MiB at the end`,
    );
  }, SECONDS * 1000 + 180_000);
});
