import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, startFaultFixtures, startIngestTestServer, waitFor, type AppProcess, type FixtureInstance, type IngestTestServer } from '@stackwatch/testing';

/**
 * No false alarms: three instances under healthy, varying background traffic, watched for two
 * minutes by agents with the default rules, interval, window and inspections (shortened only
 * for the baseline period and inspection cadence so those paths run too), raise no event.
 */
const WATCH_MS = 120_000;

describe('agent on healthy services', () => {
  let server: IngestTestServer;
  let fixtures: FixtureInstance[] = [];
  const agents: AppProcess[] = [];
  const spool = mkdtempSync(join(tmpdir(), 'stackwatch-agent-healthy-'));

  beforeAll(async () => {
    server = await startIngestTestServer();
    fixtures = await startFaultFixtures({ count: 3, backgroundRps: 40 });
    for (const [i, fixture] of fixtures.entries()) {
      agents.push(
        await startApp(
          'stackwatch-agent',
          [
            '--aggregator', server.address,
            '--target', fixture.url,
            '--instance', `healthy-${i}`,
            '--inspect-every', '5s',
            '--baseline-every', '30s',
            '--spool-dir', join(spool, String(i)),
            '--metrics-listen', '127.0.0.1:0',
          ],
          /metrics on (http:\/\/\S+)\/metrics/,
        ),
      );
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(fixtures.map((f) => f.stop()));
    await server?.stop();
    rmSync(spool, { recursive: true, force: true });
  });

  it(`raises no event in ${WATCH_MS / 1000} s while sampling, recording and shipping baselines`, async () => {
    const startedAt = Date.now();
    // Watch the whole period; fail early at the first event.
    await waitFor(
      'the watch period to end without an event',
      () => {
        const event = server.received.find((m) => m.event);
        if (event) throw new Error(`unexpected event: ${JSON.stringify({ ...event.event, findings: event.event!.findings.length })}`);
        return Date.now() - startedAt >= WATCH_MS;
      },
      { timeoutMs: WATCH_MS + 10_000, intervalMs: 500 },
    ).catch((err: Error) => {
      throw new Error(err.message.replace(/^timed out.*last error: /, ''));
    });
    const instances = new Set(server.received.filter((m) => m.metrics).map((m) => m.metrics!.target!.instance));
    expect([...instances].sort()).toEqual(['healthy-0', 'healthy-1', 'healthy-2']);
    const baselines = server.received.filter((m) => m.profile?.trigger?.kind === 'baseline').map((m) => m.profile!.type);
    expect(new Set(baselines)).toEqual(new Set(['heap', 'goroutine', 'cpu']));
    for (const agent of agents) expect(agent.logs()).not.toMatch(/fired|failed/);
  }, WATCH_MS + 30_000);
});
