/**
 * Agent overhead: one agent watching 10 fault-fixture processes at a 1 s interval with the flight
 * recorder on (the defaults). Reports the agent's CPU (% of one core) over its first minute and in
 * steady state — `BENCH_SECONDS` (default 300: one whole baseline period, ten inspections) after a
 * `BENCH_WARMUP_SECONDS` warm-up (default 120: V8 is still compiling the hot paths for the first
 * minutes) — its RSS (peak over the whole run, and at the end), and the CPU each watched process
 * spends with the agent on, against the same processes measured unwatched just before. Goal:
 * agent ≤ 1 % of one core and ≤ 80 MiB RSS, for an agent that runs for days.
 *
 *   npm run bench:agent
 *   BENCH_SECONDS=60 BENCH_WARMUP_SECONDS=15 npm run bench:agent   (a quicker, noisier look)
 *   BENCH_AGENT_ARGS='--flight-recorder=false' npm run bench:agent   (extra agent flags, to split the cost)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, rssBytes, startApp, startFaultFixtures, startIngestTestServer } from '@stackwatch/testing';

const TARGETS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 120);
const FIRST_MINUTE_SECONDS = 60;
const UNWATCHED_SECONDS = 60;
const EXTRA_ARGS = (process.env.BENCH_AGENT_ARGS ?? '').split(/\s+/).filter(Boolean);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const server = await startIngestTestServer();
  const fixtures = await startFaultFixtures({ count: TARGETS });
  const spool = mkdtempSync(join(tmpdir(), 'stackwatch-bench-agent-'));
  try {
    // Unwatched: what the idle fixtures cost by themselves.
    const before = fixtures.map((f) => cpuSeconds(f.pid));
    await sleep(UNWATCHED_SECONDS * 1000);
    const unwatched = fixtures.map((f, i) => (cpuSeconds(f.pid) - before[i]) / UNWATCHED_SECONDS);

    const agent = await startApp(
      'stackwatch-agent',
      ['--aggregator', server.address, ...fixtures.flatMap((f) => ['--target', f.url]), '--spool-dir', spool, '--metrics-listen', '127.0.0.1:0', ...EXTRA_ARGS],
      /metrics on (http:\/\/\S+)\/metrics/,
    );
    // RSS is read every second from the start; its peak is reported.
    let peakRss = rssBytes(agent.pid);
    const rssProbe = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(agent.pid))), 1_000);
    try {
      const startCpu = cpuSeconds(agent.pid);
      await sleep(FIRST_MINUTE_SECONDS * 1000);
      const firstMinuteCore = (cpuSeconds(agent.pid) - startCpu) / FIRST_MINUTE_SECONDS;
      await sleep(Math.max(0, WARMUP_SECONDS - FIRST_MINUTE_SECONDS) * 1000);
      const agentCpu0 = cpuSeconds(agent.pid);
      const fixtureCpu0 = fixtures.map((f) => cpuSeconds(f.pid));
      await sleep(SECONDS * 1000);
      const agentCore = (cpuSeconds(agent.pid) - agentCpu0) / SECONDS;
      const watched = fixtures.map((f, i) => (cpuSeconds(f.pid) - fixtureCpu0[i]) / SECONDS);
      const perTargetCost = sum(watched.map((w, i) => w - unwatched[i])) / TARGETS;
      const mib = (b: number) => (b / 1024 / 1024).toFixed(1);
      const received = server.received.length;
      console.log(
        JSON.stringify(
          {
            targets: TARGETS,
            extraAgentArgs: EXTRA_ARGS.join(' '),
            warmupSeconds: WARMUP_SECONDS,
            measuredSeconds: SECONDS,
            agentCpuPercentFirstMinute: +(firstMinuteCore * 100).toFixed(2),
            agentCpuPercentOfOneCore: +(agentCore * 100).toFixed(2),
            agentRssPeakMiB: +mib(peakRss),
            agentRssEndMiB: +mib(rssBytes(agent.pid)),
            watchedProcessCpuPercentUnwatched: +((sum(unwatched) / TARGETS) * 100).toFixed(3),
            watchedProcessCpuPercentWatched: +((sum(watched) / TARGETS) * 100).toFixed(3),
            costPerWatchedProcessPercentOfOneCore: +(perTargetCost * 100).toFixed(3),
            messagesStored: received,
          },
          null,
          2,
        ),
      );
    } finally {
      clearInterval(rssProbe);
      await agent.stop();
    }
  } finally {
    await Promise.all(fixtures.map((f) => f.stop()));
    await server.stop();
    rmSync(spool, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
