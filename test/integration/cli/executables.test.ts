import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, startFaultFixtures, startIngestTestServer, waitFor, type FixtureInstance } from '@stackwatch/testing';

// Runs the built executables in bin/ as a user would (the test command builds first).
const repoRoot = join(__dirname, '..', '..', '..');
const bin = (name: string) => join(repoRoot, 'bin', name);

function run(name: string, args: string[]) {
  return spawnSync(bin(name), args, { encoding: 'utf8', timeout: 30_000 });
}

describe.each([
  ['stackwatch-agent', ['--aggregator', '--target', '--discover', '--interval', '--rule', '--flight-recorder', '--spool-dir', '--metrics-listen', '--config']],
  ['stackwatch-aggregator', ['--grpc-listen', '--http-listen', '--store', '--clickhouse-cluster', '--retention', '--token', '--tls-client-ca', '--config']],
])('%s command line', (name, flags) => {
  it('prints its flags with --help and exits 0', () => {
    const result = run(name, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Usage: ${name}`);
    for (const flag of flags) expect(result.stdout).toContain(flag);
  });

  it('prints its version', () => {
    const result = run(name, ['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a message on an unknown flag', () => {
    const result = run(name, ['--no-such-flag']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 naming the field when a value is malformed', () => {
    const flag = name === 'stackwatch-agent' ? '--interval' : '--store';
    const result = run(name, [flag, 'not-valid']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`invalid ${flag} "not-valid"`);
  });
});

describe('running executables', () => {
  let fixtures: FixtureInstance[] = [];

  afterAll(async () => {
    await Promise.all(fixtures.map((f) => f.stop()));
  });

  it('aggregator serves /healthz, /readyz, the API and its Prometheus metrics, and stops on SIGTERM', async () => {
    const data = mkdtempSync(join(tmpdir(), 'stackwatch-cli-aggregator-'));
    const aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${join(data, 'store.duckdb')}`],
      /HTTP on (http:\/\/\S+)/,
    );
    try {
      const base = aggregator.ready[1];
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      await waitFor('ready', async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 10_000 });
      expect(await (await fetch(`${base}/api/v1/services`)).json()).toEqual([]);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('stackwatch_aggregator_process_cpu_seconds_total');
    } finally {
      expect(await aggregator.stop()).toBe(0);
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('agent refuses to start with nothing to watch, or --pid without exactly one --target', () => {
    expect(run('stackwatch-agent', []).stderr).toContain('nothing to watch');
    const result = run('stackwatch-agent', ['--pid', '1', '--target', 'http://127.0.0.1:1', '--target', 'http://127.0.0.1:2']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid --pid: it pairs with exactly one --target');
  });

  it('agent samples a real Go target, exports its readings, ships them, and flushes on SIGTERM', async () => {
    const server = await startIngestTestServer();
    const spool = mkdtempSync(join(tmpdir(), 'stackwatch-cli-'));
    fixtures = await startFaultFixtures({ count: 1 });
    const agent = await startApp(
      'stackwatch-agent',
      ['--aggregator', server.address, '--target', fixtures[0].url, '--interval', '200ms', '--spool-dir', spool, '--metrics-listen', '127.0.0.1:0'],
      /metrics on (http:\/\/\S+)\/metrics/,
    );
    try {
      const base = agent.ready[1];
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      const target = new URL(fixtures[0].url).origin;
      const goroutines = async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('stackwatch_target_goroutines{') && l.includes(`target="${target}"`));
        return line ? Number(line.split(' ').at(-1)) : undefined;
      };
      const before = await waitFor('a first goroutine sample', goroutines);
      await fixtures[0].get('/fault/leak?n=50');
      // 50 leaked producer/consumer pairs: at least 100 more goroutines on a later sample.
      await waitFor('the leak to show in the agent metrics', async () => ((await goroutines()) ?? 0) >= before + 100);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
    // SIGTERM flushed the last metric batch to the aggregator.
    expect(server.received.some((m) => m.metrics?.points.some((p) => p.name === 'goroutines'))).toBe(true);
    await server.stop();
    rmSync(spool, { recursive: true, force: true });
  });
});
