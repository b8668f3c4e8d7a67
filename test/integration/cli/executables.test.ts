import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startFaultFixtures, waitFor, type FixtureInstance } from '@stackwatch/testing';

// Runs the built executables in bin/ as a user would (the test command builds first).
const repoRoot = join(__dirname, '..', '..', '..');
const bin = (name: string) => join(repoRoot, 'bin', name);

function run(name: string, args: string[]) {
  return spawnSync(bin(name), args, { encoding: 'utf8', timeout: 30_000 });
}

/** Starts an executable and resolves once its stderr matches `ready` (e.g. the line with its address). */
async function startUntil(name: string, args: string[], ready: RegExp) {
  const child = spawn(bin(name), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  try {
    const match = await waitFor(`${name} to print ${ready}`, () => {
      if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
      return ready.exec(stderr) ?? undefined;
    });
    return { match, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

describe.each([
  ['stackwatch-agent', ['--target', '--interval', '--metrics-listen', '--config']],
  ['stackwatch-aggregator', ['--http-listen', '--config']],
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
    const flag = flags[0] === '--target' ? '--interval' : flags[0];
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

  it('aggregator serves /healthz and its Prometheus metrics, and stops on SIGTERM', async () => {
    const aggregator = await startUntil('stackwatch-aggregator', ['--http-listen', '127.0.0.1:0'], /HTTP on (http:\/\/\S+)/);
    try {
      const base = aggregator.match[1];
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('stackwatch_aggregator_process_cpu_seconds_total');
    } finally {
      expect(await aggregator.stop()).toBe(0);
    }
  });

  it('agent samples a real Go target and exports its goroutine count', async () => {
    fixtures = await startFaultFixtures({ count: 1 });
    const agent = await startUntil(
      'stackwatch-agent',
      ['--target', fixtures[0].url, '--interval', '200ms', '--metrics-listen', '127.0.0.1:0'],
      /metrics on (http:\/\/\S+)\/metrics/,
    );
    try {
      const base = agent.match[1];
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      const target = new URL(fixtures[0].url).origin;
      const goroutines = async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(`stackwatch_target_goroutines{target="${target}"}`));
        return line ? Number(line.split(' ')[1]) : undefined;
      };
      const before = await waitFor('a first goroutine sample', goroutines);
      await fixtures[0].get('/fault/leak?n=50');
      // 50 leaked producer/consumer pairs: at least 100 more goroutines on a later sample.
      await waitFor('the leak to show in the agent metrics', async () => ((await goroutines()) ?? 0) >= before + 100);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});
