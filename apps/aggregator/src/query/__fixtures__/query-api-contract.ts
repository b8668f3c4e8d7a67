import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProfile } from '@stackwatch/pprof';
import { pprofTop, runPprof } from '@stackwatch/testing';
import type { ProfileStore } from '../../store/profile-store';
import { countNodes, type FlameTreeNode } from '../flame-tree';
import { fixtures, totalOf, valuesOf, writeFleet, type FleetData } from './query-api-data';
import { startQueryApp, type QueryTestApp } from './query-test-app';

/*
 * The query API over HTTP against one real store, run once per adapter
 * (test/integration/aggregator/api-duckdb.test.ts, api-clickhouse.test.ts) so both must give the
 * same answers. Data: query-api-data.ts.
 */

export interface OpenedStore {
  readonly store: ProfileStore;
  close(): Promise<void>;
}

const MINUTE = 60_000;

/** Top-most nodes named `name` (a recursive function is counted once per path). */
function valueOfFunction(node: FlameTreeNode, name: string): number {
  if (node.name === name) return node.value;
  return node.children.reduce((sum, c) => sum + valueOfFunction(c, name), 0);
}

function expectSortedChildren(node: FlameTreeNode): void {
  for (let i = 1; i < node.children.length; i++) expect(node.children[i - 1].value).toBeGreaterThanOrEqual(node.children[i].value);
  node.children.forEach(expectSortedChildren);
}

interface FunctionRow {
  function: string;
  self: number;
  total: number;
  instances: number;
}

interface Hotspots {
  service: string;
  type: string;
  sampleType: string;
  unit: string;
  aggregation: string;
  total: number;
  profiles: number;
  instances: number;
  truncated: boolean;
  functions: FunctionRow[];
}

interface DiffRow {
  function: string;
  base: number;
  current: number;
  delta: number;
}

interface Diff {
  sampleType: string;
  unit: string;
  normalisation: string;
  base: { profiles: number; instances: number; total: number; profile?: string };
  current: { profiles: number; instances: number; total: number; profile?: string };
  functions: DiffRow[];
}

export function describeQueryApi(storeName: string, open: () => Promise<OpenedStore>): void {
  describe(`query API over ${storeName}`, () => {
    // A whole minute, so windows and metric buckets line up with the data.
    const nowMs = Math.floor(Date.now() / MINUTE) * MINUTE;
    let opened: OpenedStore;
    let api: QueryTestApp;
    let fleet: FleetData;
    let dir: string;

    const cpu = valuesOf(fixtures.cpu26, 'cpu', 'main.burnCPU');
    const cpuTotal = totalOf(fixtures.cpu26, 'cpu');

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'stackwatch-api-'));
      opened = await open();
      fleet = await writeFleet(opened.store, nowMs);
      api = await startQueryApp(opened.store, { now: () => nowMs, maxRangeMs: 7 * 86_400_000 });
    });

    afterAll(async () => {
      await api?.close();
      await opened?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function json<T>(path: string): Promise<T> {
      const { status, body } = await api.get(path);
      if (status !== 200) throw new Error(`GET ${path}: ${status} ${JSON.stringify(body)}`);
      return body as T;
    }

    async function download(path: string): Promise<{ file: string; response: Response; bytes: Buffer }> {
      const response = await fetch(api.base + path, { signal: AbortSignal.timeout(60_000) });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      const bytes = Buffer.from(await response.arrayBuffer());
      const file = join(dir, `${Math.random().toString(36).slice(2)}.pb.gz`);
      writeFileSync(file, bytes);
      return { file, response, bytes };
    }

    describe('services and instances', () => {
      it('lists who reported in the last hour, with last seen', async () => {
        const services = await json<Array<{ service: string; instances: number; lastSeenMs: number; lastSeen: string }>>('/api/v1/services');
        expect(services).toEqual([
          { service: 'checkout', instances: 4, lastSeenMs: nowMs - 10_000, lastSeen: new Date(nowMs - 10_000).toISOString() },
          { service: 'search', instances: 1, lastSeenMs: nowMs - 30 * MINUTE, lastSeen: new Date(nowMs - 30 * MINUTE).toISOString() },
        ]);
      });

      it('lists a service’s instances with latest metrics and state', async () => {
        const instances = await json<Array<Record<string, unknown>>>('/api/v1/instances?service=checkout');
        expect(instances.map((i) => i.instance)).toEqual(['i1', 'i2', 'i3', 'i4']);
        expect(instances[0]).toEqual({
          service: 'checkout',
          instance: 'i1',
          lastSeenMs: nowMs - 10_000,
          lastSeen: new Date(nowMs - 10_000).toISOString(),
          latestMetrics: { cpu_percent: 59, goroutines: 120 },
          state: 'DEGRADED',
        });
        expect(instances[1]).toMatchObject({ instance: 'i2', latestMetrics: { cpu_percent: 50 }, state: 'UP' });
        expect(instances[2]).toMatchObject({ instance: 'i3', latestMetrics: {}, state: null });
        expect(await json('/api/v1/instances?service=checkout&limit=1')).toHaveLength(1);
      });

      it('reaches further back with from', async () => {
        const services = await json<Array<{ service: string; instances: number }>>('/api/v1/services?from=now-3h');
        expect(services.find((s) => s.service === 'checkout')?.instances).toBe(5);
      });
    });

    describe('events', () => {
      it('lists events newest first with their profiles and findings', async () => {
        const events = await json<Array<Record<string, unknown>>>('/api/v1/events');
        expect(events.map((e) => e.id)).toEqual(['ev-leak', 'ev-cpu', 'ev-search']);
        const cpuEvent = fleet.events.find((e) => e.id === 'ev-cpu')!;
        expect(events[1]).toEqual({
          id: 'ev-cpu',
          time: new Date(cpuEvent.timeMs).toISOString(),
          timeMs: cpuEvent.timeMs,
          service: 'checkout',
          instance: 'i1',
          kind: 'cpu',
          value: 92,
          average: 40,
          threshold: 70,
          reason: 'cpu_percent 92 > 70',
          profiles: [{ id: 'cpu-now-i1-0', type: 'cpu' }],
          findings: [],
        });
        expect(events[0].profiles).toEqual([{ id: 'goroutine-i1-1', type: 'goroutine' }]);
        expect(events[0].findings).toEqual(fleet.events.find((e) => e.id === 'ev-leak')!.findings);
      });

      it('filters by service, instance and kind, and limits', async () => {
        expect((await json<Array<{ id: string }>>('/api/v1/events?kind=goroutine_leak')).map((e) => e.id)).toEqual(['ev-leak']);
        expect((await json<Array<{ id: string }>>('/api/v1/events?service=search')).map((e) => e.id)).toEqual(['ev-search']);
        expect((await json<Array<{ id: string }>>('/api/v1/events?service=checkout&instance=i1&limit=1')).map((e) => e.id)).toEqual(['ev-leak']);
        expect(await json('/api/v1/events?from=now-5m')).toEqual([]);
      });
    });

    describe('profiles', () => {
      it('lists metadata newest first, without bytes', async () => {
        const rows = await json<Array<Record<string, unknown>>>('/api/v1/profiles?service=checkout&type=cpu&from=now-20m');
        expect(rows).toHaveLength(8);
        expect(new Set(rows.map((r) => r.id))).toEqual(new Set(fleet.ids.currentCpu));
        const times = rows.map((r) => r.timeMs as number);
        expect([...times].sort((a, b) => b - a)).toEqual(times);
        expect(rows[0]).not.toHaveProperty('pprofGzip');
        const rule = rows.find((r) => r.id === fleet.ids.ruleCpu)!;
        expect(rule).toMatchObject({
          service: 'checkout',
          instance: 'i1',
          type: 'cpu',
          durationMs: 2000,
          time: new Date(rule.timeMs as number).toISOString(),
          sampleTypes: [
            { type: 'samples', unit: 'count' },
            { type: 'cpu', unit: 'nanoseconds' },
          ],
          labels: { zone: 'eu-1' },
          goVersion: 'go1.26.8',
          trigger: { kind: 'rule', rule: 'cpu', value: 92, average: 40, threshold: 70, eventId: 'ev-cpu' },
        });
      });

      it('filters by instance, trigger and limit', async () => {
        expect((await json<unknown[]>('/api/v1/profiles?service=checkout&instance=i2&type=cpu&from=now-1h'))).toHaveLength(6);
        expect((await json<Array<{ id: string }>>('/api/v1/profiles?trigger=rule')).map((r) => r.id)).toEqual([fleet.ids.ruleCpu]);
        expect(await json('/api/v1/profiles?limit=3')).toHaveLength(3);
      });

      it('serves the original pprof, which go tool pprof reads', async () => {
        const { file, response, bytes } = await download(`/api/v1/profiles/${fleet.ids.oldCpu}/pprof`);
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(response.headers.get('content-disposition')).toBe('attachment; filename="checkout-i5-cpu-cpu-old-i5.pb.gz"');
        expect(bytes.equals(fixtures.cpu19.bytes)).toBe(true);
        const top = await pprofTop(file, { sampleIndex: 1, unit: 'nanoseconds' });
        expect(top.total).toBe(BigInt(totalOf(fixtures.cpu19, 'cpu')));
        expect(top.rows.find((r) => r.function === 'main.burnCPU')?.flat).toBe(BigInt(valuesOf(fixtures.cpu19, 'cpu', 'main.burnCPU').self));
      });

      it('404s an unknown profile', async () => {
        const { status, body } = await api.get('/api/v1/profiles/no-such-profile/pprof');
        expect(status).toBe(404);
        expect(body).toMatchObject({ message: 'profile "no-such-profile" not found' });
      });
    });

    describe('hotspots', () => {
      it('merges CPU across all instances of the window: main.burnCPU on top', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&from=now-20m');
        expect(h).toMatchObject({ service: 'checkout', type: 'cpu', sampleType: 'cpu', unit: 'nanoseconds', aggregation: 'sum' });
        expect(h).toMatchObject({ total: 8 * cpuTotal, profiles: 8, instances: 4, truncated: false });
        expect(h.functions[0]).toEqual({ function: 'main.burnCPU', self: 8 * cpu.self, total: 8 * cpu.total, instances: 4 });
        const selves = h.functions.map((f) => Math.abs(f.self));
        expect([...selves].sort((a, b) => b - a)).toEqual(selves);
      });

      it('defaults to the last hour, orders by total and limits', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&order=total&limit=5');
        expect(h).toMatchObject({ total: 16 * cpuTotal, profiles: 16, instances: 4 });
        expect(h.functions).toHaveLength(5);
        const totals = h.functions.map((f) => f.total);
        expect([...totals].sort((a, b) => b - a)).toEqual(totals);
        expect(h.functions.find((f) => f.function === 'main.burnCPU')?.total).toBe(16 * cpu.total);
      });

      it('takes the same window as RFC 3339 and unix milliseconds', async () => {
        const byName = await json<Hotspots>('/api/v1/hotspots?service=checkout&from=now-20m&to=now');
        const byTime = await json<Hotspots>(
          `/api/v1/hotspots?service=checkout&from=${encodeURIComponent(new Date(nowMs - 20 * MINUTE).toISOString())}&to=${nowMs}`,
        );
        expect(byTime).toEqual(byName);
      });

      it('restricts to one instance or one profile', async () => {
        const one = await json<Hotspots>('/api/v1/hotspots?service=checkout&instance=i3&from=now-20m');
        expect(one).toMatchObject({ total: 2 * cpuTotal, profiles: 2, instances: 1 });
        const single = await json<Hotspots>(`/api/v1/hotspots?profile=${fleet.ids.oldCpu}`);
        const old = valuesOf(fixtures.cpu19, 'cpu', 'main.burnCPU');
        expect(single).toMatchObject({ service: 'checkout', total: totalOf(fixtures.cpu19, 'cpu'), profiles: 1, instances: 1 });
        expect(single.functions[0]).toEqual({ function: 'main.burnCPU', self: old.self, total: old.total, instances: 1 });
      });

      it('404s an unknown profile and 400s a profile of another service', async () => {
        expect((await api.get('/api/v1/hotspots?profile=nope')).body).toMatchObject({ statusCode: 404, message: 'profile "nope" not found' });
        expect((await api.get(`/api/v1/diff?baseProfile=nope&profile=${fleet.ids.ruleCpu}`)).body).toMatchObject({
          statusCode: 404,
          message: 'baseProfile "nope" not found',
        });
        const { status, body } = await api.get(`/api/v1/hotspots?profile=${fleet.ids.oldCpu}&service=search`);
        expect(status).toBe(400);
        expect(body).toMatchObject({ message: 'parameter "service": "search" does not match profile "cpu-old-i5" (service "checkout")' });
      });

      it('averages in-use heap per instance, then sums instances (unequal profile counts)', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&type=heap&from=now-20m');
        // i1 has two identical go1.26 heap profiles: their average is one of them, not twice it.
        const expected = totalOf(fixtures.heap26, 'inuse_space') + totalOf(fixtures.heap19, 'inuse_space');
        expect(h).toMatchObject({ sampleType: 'inuse_space', unit: 'bytes', aggregation: 'instance-average', profiles: 3, instances: 2 });
        expect(h.total).toBeCloseTo(expected, 3);
        const huge = h.functions.find((f) => f.function === 'main.allocateHugeSlice')!;
        expect(h.functions[0].function).toBe('main.allocateHugeSlice');
        expect(huge.self).toBeCloseTo(
          valuesOf(fixtures.heap26, 'inuse_space', 'main.allocateHugeSlice').self + valuesOf(fixtures.heap19, 'inuse_space', 'main.allocateHugeSlice').self,
          3,
        );
        expect(huge.instances).toBe(2);
      });

      it('sums cumulative sample types of the same profiles (alloc_space)', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&type=heap&sampleType=alloc_space&from=now-20m');
        expect(h).toMatchObject({ sampleType: 'alloc_space', aggregation: 'sum' });
        expect(h.total).toBe(2 * totalOf(fixtures.heap26, 'alloc_space') + totalOf(fixtures.heap19, 'alloc_space'));
      });

      it('averages goroutines per instance (equal profile counts)', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&type=goroutine&from=now-20m');
        expect(h).toMatchObject({ sampleType: 'goroutine', unit: 'count', profiles: 6, instances: 2 });
        expect(h.total).toBeCloseTo(totalOf(fixtures.goroutine26, 'goroutine') + totalOf(fixtures.goroutine19, 'goroutine'), 6);
        expect(h.functions[0].function).toBe('runtime.gopark');
        expect(h.functions[0].self).toBeCloseTo(
          valuesOf(fixtures.goroutine26, 'goroutine', 'runtime.gopark').self + valuesOf(fixtures.goroutine19, 'goroutine', 'runtime.gopark').self,
          6,
        );
      });

      it('picks delay for mutex profiles', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&type=mutex&from=now-20m');
        expect(h).toMatchObject({ sampleType: 'delay', unit: 'nanoseconds', total: totalOf(fixtures.mutex26, 'delay'), profiles: 1 });
      });

      it('answers an empty window with zeros, and refuses a sample type the profiles lack', async () => {
        const h = await json<Hotspots>('/api/v1/hotspots?service=checkout&type=block');
        expect(h).toMatchObject({ sampleType: 'delay', unit: '', total: 0, profiles: 0, instances: 0, functions: [] });
        const { status, body } = await api.get('/api/v1/hotspots?service=checkout&sampleType=inuse_space&from=now-20m');
        expect(status).toBe(400);
        expect(body).toMatchObject({ message: 'parameter "sampleType": "inuse_space" is not a sample type of the cpu profiles (samples, cpu)' });
      });
    });

    it('reads at most maxStacks stacks, says so, and keeps totals exact', async () => {
      const small = await startQueryApp(opened.store, { now: () => nowMs, maxStacks: 5 });
      try {
        const cpuHot = (await small.get('/api/v1/hotspots?service=checkout&from=now-20m')).body as Hotspots;
        expect(cpuHot).toMatchObject({ truncated: true, total: 8 * cpuTotal, profiles: 8 });
        expect(cpuHot.functions[0]).toMatchObject({ function: 'main.burnCPU', self: 8 * cpu.self });
        const heapHot = (await small.get('/api/v1/hotspots?service=checkout&type=heap&from=now-20m')).body as Hotspots;
        expect(heapHot.truncated).toBe(true);
        expect(heapHot.total).toBeCloseTo(totalOf(fixtures.heap26, 'inuse_space') + totalOf(fixtures.heap19, 'inuse_space'), 3);
      } finally {
        await small.close();
      }
    });

    describe('flame graph', () => {
      it('is the merged call tree, children by value, root holding the total', async () => {
        const tree = await json<FlameTreeNode & { sampleType: string; profiles: number }>('/api/v1/flamegraph?service=checkout&from=now-20m');
        expect(tree).toMatchObject({ name: 'root', value: 8 * cpuTotal, sampleType: 'cpu', profiles: 8 });
        expectSortedChildren(tree);
        expect(valueOfFunction(tree, 'main.burnCPU')).toBe(8 * cpu.total);
      });

      it('folds the rest into "other" within maxNodes', async () => {
        const tree = await json<FlameTreeNode>('/api/v1/flamegraph?service=checkout&from=now-20m&maxNodes=12');
        expect(countNodes(tree)).toBeLessThanOrEqual(12);
        expect(tree.value).toBe(8 * cpuTotal);
        expect(JSON.stringify(tree)).toContain('"name":"other"');
      });
    });

    describe('merged pprof', () => {
      it('merges the original profiles; go tool pprof reads the summed totals', async () => {
        const { file, response } = await download('/api/v1/merged.pprof?service=checkout&from=now-20m');
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(response.headers.get('content-disposition')).toBe('attachment; filename="checkout-all-cpu-merged.pb.gz"');
        expect(response.headers.get('x-stackwatch-profiles')).toBe('8');
        expect(response.headers.get('x-stackwatch-profiles-skipped')).toBe('0');
        const top = await pprofTop(file, { sampleIndex: 1, unit: 'nanoseconds' });
        expect(top.total).toBe(BigInt(8 * cpuTotal));
        expect(top.rows.find((r) => r.function === 'main.burnCPU')).toEqual({ function: 'main.burnCPU', flat: BigInt(8 * cpu.self), cum: BigInt(8 * cpu.total) });
      });

      it('merges at most limit profiles and opens on the chosen sample type', async () => {
        const limited = await download('/api/v1/merged.pprof?service=checkout&from=now-20m&limit=3');
        expect(limited.response.headers.get('x-stackwatch-profiles')).toBe('3');
        expect(Number(limited.response.headers.get('x-stackwatch-profiles-skipped'))).toBeGreaterThan(0);
        expect((await pprofTop(limited.file, { sampleIndex: 1, unit: 'nanoseconds' })).total).toBe(BigInt(3 * cpuTotal));

        const heap = await download('/api/v1/merged.pprof?service=checkout&type=heap&instance=i1&sampleType=alloc_space&from=now-20m');
        expect(decodeProfile(heap.bytes).defaultSampleType).toBe('alloc_space');
        expect(await runPprof(['-top', heap.file])).toMatch(/^Type: alloc_space$/m);
      });

      it('404s when no profile matches', async () => {
        const { status, body } = await api.get('/api/v1/merged.pprof?service=nobody');
        expect(status).toBe(404);
        expect(body).toMatchObject({ message: 'no cpu profiles of service "nobody" in the range' });
      });
    });

    describe('diff', () => {
      it('normalises per second and per instance: a longer window with fewer instances is no growth', async () => {
        const d = await json<Diff>('/api/v1/diff?service=checkout&from=now-20m&baseFrom=now-60m&baseTo=now-20m&limit=10000');
        expect(d).toMatchObject({ sampleType: 'cpu', unit: 'nanoseconds', normalisation: 'per second per instance' });
        expect(d.base).toMatchObject({ profiles: 8, instances: 2 });
        expect(d.current).toMatchObject({ profiles: 8, instances: 4 });
        expect(d.functions.length).toBeGreaterThan(10);
        for (const row of d.functions) expect(Math.abs(row.delta)).toBeLessThanOrEqual(1e-9 * Math.abs(row.current));
        const burn = d.functions.find((r) => r.function === 'main.burnCPU')!;
        // 8 profiles over 4 instances and 1200 s.
        expect(burn.current).toBeCloseTo((8 * cpu.total) / 4 / 1200, 6);
        expect(burn.base).toBeCloseTo(burn.current, 6);
      });

      it('compares with the window just before by default', async () => {
        const d = await json<Diff>('/api/v1/diff?service=checkout&from=now-20m');
        expect(d.base).toMatchObject({ profiles: 4, instances: 2 });
        expect(d.base.total).toBeCloseTo(d.current.total, 6);
      });

      it('compares two single profiles per second of profile', async () => {
        const d = await json<Diff>(`/api/v1/diff?baseProfile=${fleet.ids.oldCpu}&profile=${fleet.ids.ruleCpu}`);
        expect(d.base).toMatchObject({ profile: fleet.ids.oldCpu, profiles: 1, instances: 1 });
        const burn = d.functions.find((r) => r.function === 'main.burnCPU')!;
        const base = valuesOf(fixtures.cpu19, 'cpu', 'main.burnCPU').total / 2.12;
        const current = cpu.total / 2;
        expect(burn.base).toBeCloseTo(base, 3);
        expect(burn.current).toBeCloseTo(current, 3);
        expect(burn.delta).toBeCloseTo(current - base, 3);
        const deltas = d.functions.map((r) => Math.abs(r.delta));
        expect([...deltas].sort((a, b) => b - a)).toEqual(deltas);
      });

      it('compares gauges per instance', async () => {
        const d = await json<Diff>('/api/v1/diff?service=checkout&type=heap&from=now-20m');
        expect(d.normalisation).toBe('per instance');
        expect(d.current.total).toBeCloseTo((totalOf(fixtures.heap26, 'inuse_space') + totalOf(fixtures.heap19, 'inuse_space')) / 2, 3);
        expect(d.base).toMatchObject({ profiles: 0, total: 0 });
      });
    });

    describe('functions/instances', () => {
      it('ranks instances by the value of the stacks containing the function', async () => {
        const rows = await json<unknown[]>('/api/v1/functions/instances?service=checkout&function=main.burnCPU&from=now-20m');
        expect(rows).toEqual(['i1', 'i2', 'i3', 'i4'].map((instance) => ({ service: 'checkout', instance, value: 2 * cpu.total, profiles: 2 })));
      });

      it('averages gauges over each instance’s profiles', async () => {
        const rows = await json<Array<{ instance: string; value: number; profiles: number }>>(
          '/api/v1/functions/instances?service=checkout&type=heap&function=main.allocateHugeSlice&from=now-20m',
        );
        const v26 = valuesOf(fixtures.heap26, 'inuse_space', 'main.allocateHugeSlice').total;
        const v19 = valuesOf(fixtures.heap19, 'inuse_space', 'main.allocateHugeSlice').total;
        const expected = [
          { service: 'checkout', instance: 'i1', value: v26, profiles: 2 },
          { service: 'checkout', instance: 'i2', value: v19, profiles: 1 },
        ].sort((a, b) => b.value - a.value);
        expect(rows).toEqual(expected);
      });

      it('answers [] for a function no stack contains', async () => {
        expect(await json('/api/v1/functions/instances?service=checkout&function=main.nothing&from=now-20m')).toEqual([]);
      });
    });

    describe('metric series', () => {
      it('averages points into step buckets per instance', async () => {
        const series = await json<Array<{ instance: string; stepMs: number; points: Array<[number, number]> }>>(
          '/api/v1/metrics/series?service=checkout&name=cpu_percent&from=now-10m&step=60',
        );
        expect(series.map((s) => s.instance)).toEqual(['i1', 'i2']);
        // Six 10-second points per minute: values 6k..6k+5, average 6k + 2.5.
        expect(series[0].points).toEqual(Array.from({ length: 10 }, (_, k) => [nowMs - 10 * MINUTE + k * MINUTE, 6 * k + 2.5]));
        expect(series[0].stepMs).toBe(60_000);
        expect(series[1].points).toEqual([[nowMs - MINUTE, 50]]);
      });

      it('defaults the step to at most 500 points', async () => {
        const [i1] = await json<Array<{ stepMs: number; points: unknown[] }>>('/api/v1/metrics/series?service=checkout&instance=i1&name=cpu_percent&from=now-10m');
        expect(i1.stepMs).toBe(2_000);
        expect(i1.points).toHaveLength(60);
      });
    });

    describe('SQL metacharacters in parameters', () => {
      const nasty = ["x' OR '1'='1", "a\\'b", "'; DROP TABLE profiles; --", '"quoted"', '%_%', "\\' UNION SELECT 1 --"];

      it.each(nasty)('match nothing: %s', async (text) => {
        const q = encodeURIComponent(text);
        expect(await json(`/api/v1/instances?service=${q}`)).toEqual([]);
        expect(await json(`/api/v1/events?service=checkout&instance=${q}`)).toEqual([]);
        expect(await json(`/api/v1/profiles?service=${q}`)).toEqual([]);
        expect(await json<Hotspots>(`/api/v1/hotspots?service=${q}`)).toMatchObject({ total: 0, functions: [] });
        expect(await json(`/api/v1/functions/instances?service=checkout&function=${q}&from=now-20m`)).toEqual([]);
        expect(await json(`/api/v1/metrics/series?service=checkout&name=${q}`)).toEqual([]);
        expect((await api.get(`/api/v1/profiles/${q}/pprof`)).status).toBe(404);
        expect((await api.get(`/api/v1/hotspots?profile=${q}`)).status).toBe(404);
        expect((await api.get(`/api/v1/hotspots?service=checkout&from=now-20m&sampleType=${q}`)).status).toBe(400);
      });

      it('left the data intact', async () => {
        expect(await json('/api/v1/profiles?service=checkout&type=cpu&from=now-20m')).toHaveLength(8);
      });
    });

    it('times every endpoint it answered, by route', async () => {
      const text = await api.metricsText();
      for (const endpoint of ['/api/v1/hotspots', '/api/v1/profiles/:id/pprof', '/api/v1/merged.pprof', '/api/v1/diff', '/api/v1/metrics/series']) {
        expect(text).toMatch(new RegExp(`^stackwatch_aggregator_query_duration_seconds_count\\{endpoint="${endpoint.replace(/[.]/g, '\\.')}"\\} [1-9]`, 'm'));
      }
    });
  });
}
