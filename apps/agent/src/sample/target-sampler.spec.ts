import { freePort } from '@stackwatch/testing';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { statLine, statusText, tempTree, writeTree } from '../discover/__fixtures__/file-tree';
import type { WatchedTarget } from '../target';
import { parseProcStat, parseProcStatus, type ProcReader } from './proc-stat';
import { TargetSampler, TargetUnavailableError, type TargetSamplerOptions } from './target-sampler';

const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const indexPage = fixture('pprof-index-go1.26.html'); // goroutine count 3
const heapPage = fixture('heap-debug1-go1.26.txt'); // NextGC 134804906
const GiB = 1024 ** 3;
const host = { cores: 8, memoryBytes: 16 * GiB };

describe('TargetSampler', () => {
  const tree = tempTree('sampler');
  const proc = join(tree.root, 'proc');
  let server: Server;
  let base: URL;
  let mode: 'ok' | '404' | 'garbage' | 'no-heap' = 'ok';
  const requests: string[] = [];
  let clockMs = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (mode === '404') return void res.writeHead(404).end('404 page not found');
      if (mode === 'garbage') return void res.end('<html>hello</html>');
      if (req.url === '/debug/pprof/') return void res.end(indexPage);
      if (req.url === '/debug/pprof/heap?debug=1' && mode !== 'no-heap') return void res.end(heapPage);
      if (req.url === '/metrics') return void res.end('go_memstats_next_gc_bytes 2.68435456e+08\n');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  beforeEach(async () => {
    mode = 'ok';
    requests.length = 0;
    logs.length = 0;
    clockMs = 0;
    await fs.rm(tree.root, { recursive: true, force: true });
    await writeTree(tree.root, {
      'proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
      'sys/fs/cgroup/app/cpu.max': '200000 100000\n', // 2 cores
      'sys/fs/cgroup/app/memory.max': `${GiB}\n`,
    });
    await setProcess(42, { utime: 100, stime: 50, start: 1000, rssKb: 256 * 1024, threads: 9 });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    tree.cleanup();
  });

  async function setProcess(pid: number, p: { utime: number; stime: number; start: number; rssKb: number; threads: number }) {
    await writeTree(proc, {
      [`${pid}/stat`]: statLine(pid, 'faultsvc', { ...p }),
      [`${pid}/status`]: statusText('faultsvc', p.rssKb, p.threads),
      [`${pid}/cgroup`]: '0::/app\n',
    });
  }

  // The tree's files are rewritten to simulate a process changing or exiting; a kept descriptor
  // would not see that as /proc does (ProcFiles is tested on the real /proc in proc-stat.spec.ts).
  const freshReads: ProcReader = {
    read: (pid) => ({
      stat: parseProcStat(readFileSync(join(proc, String(pid), 'stat'), 'utf8')),
      status: parseProcStatus(readFileSync(join(proc, String(pid), 'status'), 'utf8')),
    }),
    close: () => undefined,
  };

  const target = (pid: number | undefined): WatchedTarget => ({
    key: base.origin,
    url: base,
    pid,
    goVersion: 'go1.26.8',
    identity: { service: 'svc', instance: 'i', labels: {} },
  });

  const sampler = (pid: number | undefined, options: Partial<TargetSamplerOptions> = {}) =>
    new TargetSampler(target(pid), {
      intervalMs: 1_000,
      procRoot: proc,
      procReader: freshReads,
      sysRoot: join(tree.root, 'sys'),
      host,
      clockTicks: 100,
      clock: { now: () => 1_700_000_000_000 + clockMs, monotonicMs: () => clockMs },
      log: (l) => logs.push(l),
      ...options,
    });

  it('first sample: every reading but cpu_percent, against the cgroup limits', async () => {
    const sample = await sampler(42).sample();
    expect(sample).toEqual({
      timeMs: 1_700_000_000_000,
      pid: 42,
      procAccess: true,
      restarted: false,
      values: { goroutines: 3, threads: 9, rss_bytes: 256 * 1024 ** 2, memory_percent: 25 },
    });
    expect(requests).toEqual(['/debug/pprof/']); // no heap?debug=1 unless the gc_heap rule wants it
  });

  it('cpu_percent: CPU ticks over wall time over the limit in cores', async () => {
    const s = sampler(42);
    await s.sample();
    clockMs += 1_000;
    await setProcess(42, { utime: 200, stime: 100, start: 1000, rssKb: 256 * 1024, threads: 9 }); // +1.5 s of CPU
    expect((await s.sample()).values.cpu_percent).toBeCloseTo(75); // 1.5 cores of 2
    clockMs += 2_000;
    await setProcess(42, { utime: 220, stime: 100, start: 1000, rssKb: 256 * 1024, threads: 9 }); // +0.2 s
    expect((await s.sample()).values.cpu_percent).toBeCloseTo(5);
  });

  it('computes no cpu_percent over a window shorter than 250 ms, and keeps the older base', async () => {
    const s = sampler(42);
    await s.sample();
    clockMs += 20;
    // One 10 ms tick more in 20 ms would read as 25 % of the limit: too coarse to report.
    await setProcess(42, { utime: 101, stime: 50, start: 1000, rssKb: 256 * 1024, threads: 9 });
    expect((await s.sample()).values.cpu_percent).toBeUndefined();
    clockMs += 980;
    await setProcess(42, { utime: 150, stime: 50, start: 1000, rssKb: 256 * 1024, threads: 9 });
    // Measured from the first sample: +0.5 s of CPU over 1 s = 25 % of 2 cores.
    expect((await s.sample()).values.cpu_percent).toBeCloseTo(25);
  });

  it('uses the host cores when there is no quota', async () => {
    await writeTree(tree.root, { 'sys/fs/cgroup/app/cpu.max': 'max 100000\n' });
    const s = sampler(42);
    await s.sample();
    clockMs += 1_000;
    await setProcess(42, { utime: 300, stime: 50, start: 1000, rssKb: 256 * 1024, threads: 9 }); // +2 s
    expect((await s.sample()).values.cpu_percent).toBeCloseTo(25); // 2 of 8 host cores
  });

  it.each([
    ['the start time changed (pid reused)', { utime: 500, stime: 50, start: 2000 }],
    ['the CPU counters went backwards', { utime: 10, stime: 5, start: 1000 }],
  ])('restart: %s → restarted, and the CPU baseline resets', async (_why, next) => {
    const s = sampler(42);
    await s.sample();
    clockMs += 1_000;
    await setProcess(42, { ...next, rssKb: 1024, threads: 5 });
    const restarted = await s.sample();
    expect(restarted.restarted).toBe(true);
    expect(restarted.values.cpu_percent).toBeUndefined();
    clockMs += 1_000;
    await setProcess(42, { ...next, utime: next.utime + 100, rssKb: 1024, threads: 5 });
    const after = await s.sample();
    expect(after.restarted).toBe(false);
    expect(after.values.cpu_percent).toBeCloseTo(50);
  });

  it('restart: the pid changed (the old one exited, resolvePid finds the new owner)', async () => {
    const s = sampler(42, { resolvePid: () => Promise.resolve(43) });
    await s.sample();
    await fs.rm(join(proc, '42'), { recursive: true });
    await setProcess(43, { utime: 1, stime: 1, start: 3000, rssKb: 1024, threads: 5 });
    const sample = await s.sample();
    expect(sample).toMatchObject({ pid: 43, restarted: true, procAccess: true });
    expect(s.currentPid).toBe(43);
  });

  it('without /proc access: pprof-only readings, said once', async () => {
    const s = sampler(undefined, { gcHeap: true, gcHeapEveryMs: 0 });
    for (let i = 0; i < 3; i++) {
      const sample = await s.sample();
      expect(sample).toMatchObject({ pid: undefined, procAccess: false, restarted: false });
      // Without the target's cgroup, the GC heap ratio is against the host's memory.
      expect(sample.values).toEqual({ goroutines: 3, gc_heap_percent: (134804906 / 2 / host.memoryBytes) * 100 });
    }
    expect(logs).toEqual([`target ${base.origin}: no /proc access (its pid is unknown (another pid namespace, or not local)): pprof-only readings`]);
    expect(s.noProcAccessReason).toMatch(/pid is unknown/);
  });

  it('a pid that exits without a resolver: pprof-only, said once, and again when it is back', async () => {
    const s = sampler(42);
    await s.sample();
    await fs.rm(join(proc, '42'), { recursive: true });
    expect(await s.sample()).toMatchObject({ procAccess: false, pid: 42, values: { goroutines: 3 } });
    expect(await s.sample()).toMatchObject({ procAccess: false });
    await setProcess(42, { utime: 1, stime: 1, start: 4000, rssKb: 1024, threads: 5 });
    expect(await s.sample()).toMatchObject({ procAccess: true, restarted: true });
    expect(logs).toEqual([
      `target ${base.origin}: no /proc access (pid 42 has exited): pprof-only readings`,
      `target ${base.origin}: /proc readable again (pid 42)`,
    ]);
  });

  it('gc_heap_percent: NextGC/2 over the memory limit, from heap?debug=1 or --metrics-url', async () => {
    const fromHeap = await sampler(42, { gcHeap: true }).sample();
    expect(fromHeap.values.gc_heap_percent).toBeCloseTo((134804906 / 2 / GiB) * 100);
    expect(requests.sort()).toEqual(['/debug/pprof/', '/debug/pprof/heap?debug=1']);
    const fromMetrics = await sampler(42, { gcHeap: true, metricsUrl: new URL('/metrics', base) }).sample();
    expect(fromMetrics.values.gc_heap_percent).toBeCloseTo(12.5); // 256 MiB / 2 of 1 GiB
  });

  it('reads NextGC at most every gcHeapEveryMs: samples in between carry no gc_heap_percent', async () => {
    let now = 0;
    const clock = { now: () => now, monotonicMs: () => now };
    const s = sampler(42, { gcHeap: true, gcHeapEveryMs: 5_000, clock });
    expect((await s.sample()).values.gc_heap_percent).toBeDefined();
    now = 4_999;
    expect((await s.sample()).values.gc_heap_percent).toBeUndefined();
    now = 5_000;
    expect((await s.sample()).values.gc_heap_percent).toBeDefined();
  });

  it('a failing NextGC only leaves gc_heap_percent out (said once)', async () => {
    mode = 'no-heap';
    const s = sampler(42, { gcHeap: true });
    expect((await s.sample()).values.gc_heap_percent).toBeUndefined();
    expect((await s.sample()).values.goroutines).toBe(3);
    expect(logs).toEqual([`target ${base.origin}: no gc_heap_percent: ${base.origin}: GET /debug/pprof/heap: HTTP 404`]);
  });

  it('rejects with TargetUnavailableError saying what happened', async () => {
    const s = sampler(42);
    mode = '404';
    await expect(s.sample()).rejects.toThrow(new TargetUnavailableError(base.origin, 'GET /debug/pprof/: HTTP 404'));
    mode = 'garbage';
    await expect(s.sample()).rejects.toThrow(/not a pprof index: not a Go \/debug\/pprof\/ index page/);
    const port = await freePort();
    const url = new URL(`http://127.0.0.1:${port}/`);
    const gone = new TargetSampler({ ...target(42), key: url.origin, url }, { intervalMs: 500, procRoot: proc, host });
    const err = await gone.sample().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect((err as Error).message).toBe(`${url.origin}: GET /debug/pprof/: connection refused`);
  });
});
