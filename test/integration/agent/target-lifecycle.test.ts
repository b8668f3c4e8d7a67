import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetStatus__Output } from '@stackwatch/contract';
import { startApp, startFaultFixtures, startIngestTestServer, waitFor, type AppProcess, type FixtureInstance, type IngestTestServer } from '@stackwatch/testing';

/**
 * A target that goes away and comes back as a new process on the same URL: the agent reports it
 * down, keeps running, finds the new pid, reports the restart, and fires no rule on the way.
 */
describe('a watched process that stops and restarts', () => {
  let server: IngestTestServer;
  let agent: AppProcess;
  let first: FixtureInstance;
  let second: FixtureInstance | undefined;
  const spool = mkdtempSync(join(tmpdir(), 'stackwatch-lifecycle-'));

  const statuses = (): TargetStatus__Output[] => server.received.flatMap((m) => (m.target_status ? [m.target_status] : []));

  beforeAll(async () => {
    server = await startIngestTestServer();
    [first] = await startFaultFixtures({ count: 1 });
    agent = await startApp(
      'stackwatch-agent',
      ['--aggregator', server.address, '--target', first.url, '--interval', '300ms', '--spool-dir', spool, '--metrics-listen', '127.0.0.1:0'],
      /metrics on (http:\/\/\S+)\/metrics/,
    );
  }, 240_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
    await server?.stop();
    rmSync(spool, { recursive: true, force: true });
  });

  it('reports up, down, then restarted with the new pid, and stays healthy', async () => {
    await waitFor('an UP status', () => statuses().some((s) => s.state === 'TARGET_STATE_UP' && s.target?.pid === first.pid));
    await first.stop();
    const down = await waitFor('a DOWN status', () => statuses().find((s) => s.state === 'TARGET_STATE_DOWN'));
    expect(down.detail).toMatch(/connection refused/);
    expect((await fetch(`${agent.ready[1]}/healthz`)).status).toBe(200);

    [second] = await startFaultFixtures({ count: 1, port: first.port });
    const restarted = await waitFor('a RESTARTED status', () => statuses().find((s) => s.state === 'TARGET_STATE_RESTARTED'), { timeoutMs: 60_000 });
    expect(restarted.target?.pid).toBe(second.pid);
    expect(agent.logs().match(/: down: /g)).toHaveLength(1);
    expect(server.received.some((m) => m.event)).toBe(false);
  });
});
