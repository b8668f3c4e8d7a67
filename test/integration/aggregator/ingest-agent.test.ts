// The real agent (bin/stackwatch-agent) watching a real Go fault fixture ships into the real
// aggregator (bin/stackwatch-aggregator) on a DuckDB file: statuses, metrics, baseline profiles
// and a CPU event with its profiles all end up stored, nothing is rejected. The stored rows are
// read back through the real DuckDB store after both processes stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, startFaultFixtures, waitFor, type AppProcess, type FixtureInstance } from '@stackwatch/testing';
import { parseStoreUrl } from '../../../apps/aggregator/src/config/store-url';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';
import type { ProfileStore } from '../../../apps/aggregator/src/store/profile-store';

const TOKEN = 'agent-to-aggregator-token';
const SERVICE = 'faultsvc';
const INSTANCE = 'ingest-agent-0';

/** Sum of the samples of a Prometheus text series whose line starts with `prefix`. */
async function metricSum(url: string, prefix: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('agent → aggregator (real processes, real Go target, DuckDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-ingest-agent-'));
  const storePath = join(dir, 'store.duckdb');
  let fixture: FixtureInstance;
  let aggregator: AppProcess;
  let agent: AppProcess;
  let aggregatorMetrics: string;
  let agentMetrics: string;
  const startedAt = Date.now();

  beforeAll(async () => {
    aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${storePath}`, '--token', TOKEN],
      /HTTP on (http:\/\/\S+)/,
    );
    aggregatorMetrics = `${aggregator.ready[1]}/metrics`;
    const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
    [fixture] = await startFaultFixtures({ count: 1, backgroundRps: 10 });
    agent = await startApp(
      'stackwatch-agent',
      [
        '--aggregator', grpc,
        '--token', TOKEN,
        '--target', fixture.url,
        '--service', SERVICE,
        '--instance', INSTANCE,
        '--interval', '500ms',
        '--ring-size', '6',
        '--flight-recorder-window', '2s',
        '--baseline-every', '3s',
        '--inspect-every', '0s',
        '--spool-dir', join(dir, 'spool'),
        '--metrics-listen', '127.0.0.1:0',
      ],
      /metrics on (http:\/\/\S+)\/metrics/,
    );
    agentMetrics = `${agent.ready[1]}/metrics`;
  }, 240_000);

  afterAll(async () => {
    await agent?.stop();
    await aggregator?.stop();
    await fixture?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores what the agent ships, acknowledges all of it and rejects nothing', async () => {
    // Baselines (heap, goroutine, a CPU window), a metric batch (flushed every 10 s), the target's UP status.
    const ingested = (kind: string) => metricSum(aggregatorMetrics, `stackwatch_aggregator_messages_ingested_total{kind="${kind}"}`);
    await waitFor(
      'statuses, metrics and baseline profiles to be ingested',
      async () => (await ingested('target_status')) >= 1 && (await ingested('metrics')) >= 1 && (await ingested('profile')) >= 3,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(await metricSum(aggregatorMetrics, 'stackwatch_aggregator_connected_agents')).toBe(1);

    // A CPU spike: the rule fires once the window is full, with the flight recorder's CPU profiles.
    await waitFor('a full window of samples', async () => (await metricSum(agentMetrics, 'stackwatch_samples_total')) >= 6, { timeoutMs: 30_000, intervalMs: 250 });
    await fixture.get('/fault/cpu?seconds=6&workers=2');
    await waitFor('the cpu event to be ingested', async () => (await ingested('event')) >= 1, { timeoutMs: 45_000, intervalMs: 250 });
    // Its profiles follow the event in the agent's spool order; wait until the agent has nothing left unacked.
    await waitFor('the agent spool to drain', async () => (await metricSum(agentMetrics, 'stackwatch_spool_bytes')) === 0, { timeoutMs: 30_000, intervalMs: 250 });

    expect(await metricSum(aggregatorMetrics, 'stackwatch_aggregator_messages_rejected_total')).toBe(0);
    expect(await metricSum(agentMetrics, 'stackwatch_messages_rejected_total')).toBe(0);
    expect(await metricSum(aggregatorMetrics, 'stackwatch_aggregator_samples_written_total')).toBeGreaterThan(0);

    // SIGTERM flushes the agent's last batch; then the aggregator hands the DuckDB file over.
    expect(await agent.stop()).toBe(0);
    const profilesIngested = await metricSum(aggregatorMetrics, 'stackwatch_aggregator_profiles_ingested_total');
    expect(await aggregator.stop()).toBe(0);
    expect(agent.logs()).not.toMatch(/aggregator rejected/);
    expect(aggregator.logs()).not.toMatch(/error:/);

    const store: ProfileStore = await openProfileStore(parseStoreUrl(`duckdb:${storePath}`));
    try {
      const range = { fromMs: startedAt - 60_000, toMs: Date.now() + 60_000 };
      const [instance] = await store.instances({ ...range, service: SERVICE });
      expect(instance).toMatchObject({ service: SERVICE, instance: INSTANCE, state: 'UP' });
      expect(Object.keys(instance.latestMetrics)).toEqual(expect.arrayContaining(['goroutines', 'cpu_percent']));

      const goroutines = await store.metricSeries({ ...range, service: SERVICE, name: 'goroutines', stepMs: 1000 });
      expect(goroutines[0].points.length).toBeGreaterThanOrEqual(5);

      const profiles = await store.profiles({ ...range, service: SERVICE, limit: 1000 });
      expect(profiles).toHaveLength(profilesIngested);
      expect(new Set(profiles.filter((p) => p.trigger.kind === 'baseline').map((p) => p.type))).toEqual(new Set(['heap', 'goroutine', 'cpu']));

      const [event] = await store.events({ ...range, service: SERVICE, kind: 'cpu', limit: 10 });
      expect(event.profileIds.length).toBeGreaterThanOrEqual(1);
      const eventProfiles = await store.profiles({ ...range, ids: event.profileIds, limit: 100 });
      expect(eventProfiles.map((p) => p.id).sort()).toEqual([...event.profileIds].sort());
      expect(eventProfiles.every((p) => p.type === 'cpu' && p.trigger.kind === 'rule' && p.trigger.eventId === event.id)).toBe(true);

      // The samples of the event's profiles name the busy loop the fixture ran.
      const top = await store.stackTotals({ ...range, service: SERVICE, profileType: 'cpu', sampleType: 'cpu', profileIds: event.profileIds }, 20);
      expect(top.flatMap((s) => s.frames)).toContain('main.burnCPU');
      const bytes = await store.profile(event.profileIds[0], range);
      expect(bytes!.pprofGzip.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 180_000);
});
