// The agent's discover and sample stages against real Go processes built with each supported Go:
// who owns a port, which Go built it, --discover noticing processes come and go, and TargetSampler
// seeing each fault of the fixture in its readings. Restart detection is covered by unit specs.
import { goToolchains, startFaultFixtures, stopAll, waitFor, type FixtureInstance } from '@stackwatch/testing';
import { availableParallelism } from 'node:os';

import { Discoverer } from '../../../apps/agent/src/discover/discoverer';
import { readGoBuildInfoOfPid } from '../../../apps/agent/src/discover/go-buildinfo';
import { findPortOwners } from '../../../apps/agent/src/discover/socket-owner';
import { resolveStaticTarget } from '../../../apps/agent/src/discover/static-targets';
import { TargetSampler, TargetUnavailableError } from '../../../apps/agent/src/sample/target-sampler';
import type { TargetSample, WatchedTarget } from '../../../apps/agent/src/target';

const MiB = 1024 * 1024;

async function call(instance: FixtureInstance, path: string, timeoutMs?: number): Promise<void> {
  const res = await instance.get(path, timeoutMs);
  if (res.status >= 300) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.body.toString('utf8')}`);
}

describe.each(goToolchains())('discover and sample a faultsvc built with $label', (toolchain) => {
  let fixture: FixtureInstance;
  const extra: FixtureInstance[] = [];
  let target: WatchedTarget;

  beforeAll(async () => {
    [fixture] = await startFaultFixtures({ count: 1, toolchain, env: { STACKWATCH_SERVICE: 'checkout', POD_NAME: 'checkout-0' } });
    target = await resolveStaticTarget(new URL(`${fixture.url}/`), { identity: { labels: [['zone', 'test']] } });
  }, 300_000);

  afterAll(() => stopAll([fixture, ...extra]));

  const sampler = (options: { gcHeap?: boolean } = {}) => new TargetSampler(target, { intervalMs: 2_000, ...options });

  it('the owner of its listening port is its pid, and its build info names the exact Go', async () => {
    expect(await findPortOwners(fixture.port, { addresses: ['127.0.0.1'] })).toEqual([fixture.pid]);
    expect(await readGoBuildInfoOfPid(fixture.pid)).toEqual({ goVersion: toolchain.version });
  });

  it('a --target URL resolves to its pid, Go version and identity', () => {
    expect(target).toEqual({
      key: fixture.url,
      url: new URL(`${fixture.url}/`),
      pid: fixture.pid,
      goVersion: toolchain.version,
      identity: { service: 'checkout', instance: 'checkout-0', labels: { zone: 'test' } },
    });
  });

  it('--discover finds an instance started after it began, and reports its removal after stop()', async () => {
    const added: WatchedTarget[] = [];
    const removed: string[] = [];
    const discoverer = new Discoverer({ onAdded: (t) => added.push(t), onRemoved: (key) => removed.push(key) }, { identity: {} });
    discoverer.start();
    try {
      // The first scan sees the fixture started in beforeAll: the discoverer is running.
      await waitFor('the first fixture', () => added.some((t) => t.key === fixture.url), { timeoutMs: 10_000 });
      const [late] = await startFaultFixtures({ count: 1, toolchain, service: 'late' });
      extra.push(late);
      const startedAt = Date.now();
      const found = await waitFor('the late fixture', () => added.find((t) => t.key === late.url), { timeoutMs: 6_000 });
      expect(found).toMatchObject({ pid: late.pid, goVersion: toolchain.version, identity: { service: 'faultsvc' } });
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      await late.stop();
      await waitFor('its removal', () => removed.includes(late.url), { timeoutMs: 6_000 });
      expect(removed).not.toContain(fixture.url);
    } finally {
      await discoverer.stop();
    }
  }, 30_000);

  it('reads every value from /proc and the pprof index, with gc_heap_percent when asked', async () => {
    const s = sampler({ gcHeap: true });
    const first = await s.sample();
    expect(first).toMatchObject({ pid: fixture.pid, procAccess: true, restarted: false });
    expect(first.values.cpu_percent).toBeUndefined();
    expect(first.values).toEqual({
      goroutines: expect.any(Number),
      threads: expect.any(Number),
      rss_bytes: expect.any(Number),
      memory_percent: expect.any(Number),
      gc_heap_percent: expect.any(Number),
    });
    expect(first.values.gc_heap_percent).toBeGreaterThan(0);
    expect(first.values.gc_heap_percent).toBeLessThan(1);
    // cpu_percent needs a window of at least 250 ms since the first sample.
    const cpu = await waitFor('a cpu_percent', async () => (await s.sample()).values.cpu_percent, { intervalMs: 300, timeoutMs: 10_000 });
    expect(cpu).toBeGreaterThanOrEqual(0);
  });

  it('cpu_percent rises to about one core during /fault/cpu?seconds=3&workers=1', async () => {
    const s = sampler();
    await s.sample();
    await call(fixture, '/fault/cpu?seconds=3&workers=1');
    const oneCore = 100 / availableParallelism();
    // Each sample covers the time since the previous one (≈ 1 s here). Loose bounds: other test
    // files may share the machine's cores, which stretches the burn over more wall time.
    const busy = await waitFor(
      'a busy sample',
      async () => {
        const value = (await s.sample()).values.cpu_percent;
        return value !== undefined && value > oneCore * 0.4 ? value : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 1_000 },
    );
    expect(busy).toBeLessThan(oneCore * 1.3);
  }, 30_000);

  it('rss_bytes rises past 900 MiB after /fault/alloc?mb=1024', async () => {
    const s = sampler();
    const before = (await s.sample()).values;
    try {
      await call(fixture, '/fault/alloc?mb=1024', 60_000);
      const after = (await s.sample()).values;
      expect(after.rss_bytes).toBeGreaterThanOrEqual(900 * MiB);
      expect(after.memory_percent).toBeGreaterThan(before.memory_percent ?? Infinity);
    } finally {
      await call(fixture, '/fault/reset', 30_000);
    }
  }, 60_000);

  it('threads rise after /fault/cgo?n=20', async () => {
    const s = sampler();
    const before = (await s.sample()).values.threads ?? 0;
    await call(fixture, '/fault/cgo?n=20&seconds=600');
    const after = await waitFor('pinned threads', async () => {
      const threads = (await s.sample()).values.threads ?? 0;
      return threads >= 23 ? threads : undefined;
    });
    expect(after).toBeGreaterThan(before);
  }, 30_000);

  it('goroutines rise after /fault/leak?n=100 (from the index page, no dump)', async () => {
    const s = sampler();
    const before = (await s.sample()).values.goroutines ?? 0;
    await call(fixture, '/fault/leak?n=100');
    await waitFor('leaked goroutines', async () => ((await s.sample()).values.goroutines ?? 0) >= before + 200);
  }, 30_000);

  it('a stopped target makes sample() reject with TargetUnavailableError', async () => {
    const [doomed] = await startFaultFixtures({ count: 1, toolchain, service: 'doomed' });
    extra.push(doomed);
    const s = new TargetSampler(await resolveStaticTarget(new URL(`${doomed.url}/`), { identity: {} }), { intervalMs: 2_000 });
    const sample: TargetSample = await s.sample();
    expect(sample.pid).toBe(doomed.pid);
    await doomed.stop();
    const err = await s.sample().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect((err as Error).message).toMatch(new RegExp(`^${doomed.url}: GET /debug/pprof/: (connection refused|connection reset|connection closed by the target)$`));
  }, 30_000);
});
