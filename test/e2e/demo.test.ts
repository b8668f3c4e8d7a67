import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePort, waitFor } from '@stackwatch/testing';

/**
 * The README's first command, as a user runs it (`npm run demo`, here `scripts/demo.sh` on free
 * ports and its own directory): on a machine that already ran the tests it serves the API within
 * 60 s, the agents' data arrives, the printed fault command works, and Ctrl-C (SIGINT to the
 * terminal's process group) leaves no process behind.
 */
const REPO = join(__dirname, '..', '..');

/** Pids of the process group, from ps (empty once every member exited). */
function groupMembers(pgid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when nothing matches
  }
}

/** The first of `count` consecutive ports that are free right now. */
async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const servers: Server[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const server = createServer();
        servers.push(server);
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(base + i, '127.0.0.1', resolve));
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

describe('npm run demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-demo-'));
  let demo: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;

  afterAll(() => {
    // Whatever happened, nothing of the demo may outlive the test.
    if (demo?.pid) for (const pid of groupMembers(demo.pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API within 60 s, shows the fleet, catches a printed fault, and stops everything on Ctrl-C', async () => {
    // The demo numbers its agents' metrics ports from a base: three free ones in a row.
    const agentPorts = await consecutiveFreePorts(3);
    const http = await freePort();
    const env = {
      ...process.env,
      STACKWATCH_DEMO_DIR: dir,
      STACKWATCH_DEMO_GRPC_PORT: String(await freePort()),
      STACKWATCH_DEMO_HTTP_PORT: String(http),
      STACKWATCH_DEMO_AGENT_METRICS_PORT: String(agentPorts),
    };
    const started = Date.now();
    // Its own process group, like a terminal's foreground job.
    demo = spawn('bash', ['scripts/demo.sh'], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));

    await waitFor('the demo to print its commands', () => output.includes('Ctrl-C stops everything'), { timeoutMs: 60_000, intervalMs: 200 }).catch((err: Error) => {
      throw new Error(`${err.message}; the demo printed:\n${output.slice(-3000)}`);
    });
    const api = `http://127.0.0.1:${http}/api/v1`;
    expect(output).toContain(`${api}/services`);
    expect(output).toContain(`Web UI:         http://127.0.0.1:${http}/`);
    const ui = await fetch(`http://127.0.0.1:${http}/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<title>stackwatch</title>');
    const services = await (await fetch(`${api}/services`)).json();
    expect(Array.isArray(services)).toBe(true);
    expect(Date.now() - started).toBeLessThan(60_000);

    // The three instances report through their agents.
    await waitFor(
      'three demo-shop instances in /instances',
      async () => ((await (await fetch(`${api}/instances?service=demo-shop`)).json()) as unknown[]).length === 3,
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The printed CPU fault command, run as printed, is caught on demo-shop-1.
    const cpuFault = /curl -s '(http:\/\/127\.0\.0\.1:\d+\/fault\/cpu\?seconds=20)'/.exec(output)![1];
    // Agents need a full moving-average window (10 samples at 1 s) before a rule can fire.
    await new Promise((r) => setTimeout(r, 11_000));
    expect((await fetch(cpuFault)).status).toBe(202);
    const event = await waitFor(
      'a cpu event on demo-shop-1',
      async () => ((await (await fetch(`${api}/events?service=demo-shop&kind=cpu`)).json()) as { instance: string }[])[0],
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(event.instance).toBe('demo-shop-1');

    const pgid = demo.pid!;
    process.kill(-pgid, 'SIGINT');
    // 130 = 128 + SIGINT: how a shell reports a Ctrl-C'd command.
    expect([0, 130]).toContain(await exited);
    await waitFor('every process of the demo to exit', () => groupMembers(pgid).length === 0, { timeoutMs: 20_000, intervalMs: 200 });
    expect(output).toMatch(/demo: stopping \d+ processes/);
  }, 180_000);
});
