import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProfile, stackHash } from '@stackwatch/pprof';
import type {
  EventRecord,
  IngestBatch,
  MetricRecord,
  ProfileMeta,
  ProfileRecord,
  ProfileStore,
  SampleFilter,
  SampleRecord,
  StackRecord,
  StackTotal,
  StatusRecord,
} from './profile-store';

/**
 * The one behaviour suite of the ProfileStore port. Every adapter runs it (DuckDB, ClickHouse,
 * ClickHouse through a cluster's Distributed tables) against a real database, so what the REST
 * API answers cannot depend on the store behind it. Each test opens a fresh, initialised store.
 */
export interface OpenedStore {
  readonly store: ProfileStore;
  /** Closes `store` and opens (and initialises) a new store on the same data. */
  reopen(): Promise<ProfileStore>;
  /** Closes whichever store is open and removes the data. */
  cleanup(): Promise<void>;
}

const FIXTURES = join(__dirname, '../../../../test/fixtures/profiles');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed day (2026-11-26 UTC), 10:00: tests never depend on the clock. */
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const WIDE = { fromMs: T0 - 3 * DAY, toMs: T0 + 3 * DAY };
const HOSTILE = ["it's", 'back\\slash', "'; DROP TABLE samples; --", 'line\nbreak\ttab\r', 'naïve 服务 🚀', "\\'", '%_*?[]{}', '"double"'];
const CPU_TYPES = [
  { type: 'samples', unit: 'count' },
  { type: 'cpu', unit: 'nanoseconds' },
];

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${++sequence}`;

function profileRecord(overrides: Partial<ProfileRecord> = {}): ProfileRecord {
  return {
    id: nextId('profile'),
    service: 'checkout',
    instance: 'pod-a',
    labels: { zone: 'eu-1' },
    pid: 4242,
    goVersion: 'go1.26.1',
    type: 'cpu',
    startMs: T0,
    durationMs: 5000,
    trigger: { kind: 'baseline' },
    sampleTypes: CPU_TYPES,
    pprofGzip: fixture('go1.26-cpu.pb.gz'),
    ...overrides,
  };
}

/** A profile with the given stacks: frames → one value per sample type of the profile. */
function profileWith(stacks: readonly (readonly [readonly string[], readonly number[]])[], overrides: Partial<ProfileRecord> = {}): {
  profile: ProfileRecord;
  stacks: StackRecord[];
  samples: SampleRecord[];
} {
  const profile = profileRecord(overrides);
  const stackRecords: StackRecord[] = [];
  const samples: SampleRecord[] = [];
  for (const [frames, values] of stacks) {
    const hash = stackHash(frames);
    stackRecords.push({ service: profile.service, hash, frames });
    values.forEach((value, i) => {
      if (value === 0) return;
      samples.push({
        service: profile.service,
        instance: profile.instance,
        profileId: profile.id,
        profileType: profile.type,
        sampleType: profile.sampleTypes[i].type,
        timeMs: profile.startMs,
        stackHash: hash,
        value,
      });
    });
  }
  return { profile, stacks: stackRecords, samples };
}

/** One message carrying one profile, as ingest writes it. */
function profileBatch(p: ReturnType<typeof profileWith>, messageId = nextId('msg')): IngestBatch {
  return { messageId, timeMs: p.profile.startMs, profiles: [p.profile], stacks: p.stacks, samples: p.samples };
}

/** A real captured profile turned into rows the way ingest does (zero values are not stored). */
function capturedProfile(file: string, type: string, overrides: Partial<ProfileRecord> = {}): ReturnType<typeof profileWith> & { totals: Map<string, number> } {
  const bytes = fixture(file);
  const decoded = decodeProfile(bytes);
  const result = profileWith(
    decoded.stacks.map((s) => [s.frames, s.values.map(Number)] as const),
    { type, sampleTypes: decoded.sampleTypes.map(({ type: t, unit }) => ({ type: t, unit })), pprofGzip: bytes, ...overrides },
  );
  const totals = new Map<string, number>();
  for (const s of result.samples) totals.set(s.sampleType, (totals.get(s.sampleType) ?? 0) + s.value);
  return { ...result, totals };
}

function metric(name: string, value: number, timeMs: number, instance = 'pod-a', service = 'checkout'): MetricRecord {
  return { service, instance, name, value, timeMs };
}

function eventRecord(overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: nextId('event'),
    service: 'checkout',
    instance: 'pod-a',
    timeMs: T0,
    kind: 'cpu',
    value: 93.5,
    average: 20.25,
    threshold: 70,
    reason: 'cpu 93.5% ≥ 70%',
    profileIds: [],
    findings: [],
    ...overrides,
  };
}

function status(state: string, timeMs: number, instance = 'pod-a', service = 'checkout'): StatusRecord {
  return { service, instance, timeMs, state, detail: '', pid: 4242, goVersion: 'go1.26.1', url: `http://${instance}:6060/debug/pprof/`, labels: { zone: 'eu-1' } };
}

const metaOf = (p: ProfileRecord): ProfileMeta => {
  const { pprofGzip: _bytes, ...meta } = p;
  return meta;
};

const cpuFilter = (overrides: Partial<SampleFilter> = {}): SampleFilter => ({ ...WIDE, service: 'checkout', profileType: 'cpu', sampleType: 'cpu', ...overrides });

export function describeProfileStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`ProfileStore contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: ProfileStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened?.cleanup();
    });

    describe('round trip', () => {
      it('stores every record kind and reads it back unchanged (labels, triggers, findings, unicode, hostile strings)', async () => {
        const hostileLabels = Object.fromEntries(HOSTILE.map((s, i) => [`k${i}${s}`, s]));
        const rule = profileWith([[['runtime.main', "main.it's", 'main.burn\\CPU'], [7, 70_000_000]]], {
          labels: hostileLabels,
          goVersion: 'go1.26.1 🚀',
          trigger: { kind: 'rule', rule: 'cpu', value: 93.5, average: 20.25, threshold: 70, eventId: 'ev-1' },
        });
        const analysis = profileWith([[['runtime.gopark'], [3]]], {
          type: 'goroutine',
          sampleTypes: [{ type: 'goroutine', unit: 'count' }],
          startMs: T0 + 1000,
          durationMs: 0,
          trigger: { kind: 'analysis', analysis: 'goroutine_leak', eventId: 'ev-2' },
          labels: {},
        });
        const event = eventRecord({
          id: 'ev-1',
          reason: HOSTILE.join(' | '),
          profileIds: [rule.profile.id, analysis.profile.id],
          findings: [
            {
              kind: 'goroutine_leak',
              summary: '1 200 goroutines blocked in chan receive — 服务',
              stacks: [{ frames: ['main.main', "main.leak'"], count: 1200, state: 'chan receive', createdBy: 'main.start\\x' }],
            },
          ],
          value: 1e300,
          average: -2.5,
          threshold: 0.1,
        });
        const statusRow = { ...status('UP', T0 + 2000), detail: HOSTILE.join('\n'), labels: hostileLabels };
        const newIds = await store.write([
          {
            messageId: 'm-all',
            timeMs: T0,
            profiles: [rule.profile, analysis.profile],
            stacks: [...rule.stacks, ...analysis.stacks],
            samples: [...rule.samples, ...analysis.samples],
            metrics: [metric('cpu_percent', 12.5, T0), metric('rss_bytes', 2 ** 40, T0)],
            events: [event],
            statuses: [statusRow],
          },
        ]);
        expect([...newIds]).toEqual(['m-all']);

        expect(await store.profiles({ ...WIDE, limit: 10 })).toEqual([metaOf(analysis.profile), metaOf(rule.profile)]);
        const full = await store.profile(rule.profile.id, WIDE);
        expect(full).toEqual({ ...metaOf(rule.profile), pprofGzip: rule.profile.pprofGzip });
        expect(Buffer.from(full!.pprofGzip).equals(Buffer.from(rule.profile.pprofGzip))).toBe(true);
        expect(await store.events({ ...WIDE, limit: 10 })).toEqual([event]);
        expect(await store.stackTotals(cpuFilter(), 10)).toEqual([
          { hash: rule.stacks[0].hash, frames: ['runtime.main', "main.it's", 'main.burn\\CPU'], value: 70_000_000, instances: 1 },
        ]);
        expect(await store.instances(WIDE)).toEqual([
          { service: 'checkout', instance: 'pod-a', lastSeenMs: T0 + 2000, latestMetrics: { cpu_percent: 12.5, rss_bytes: 2 ** 40 }, state: 'UP' },
        ]);
      });

      it('keeps large and negative sample values exact', async () => {
        const big = profileWith([
          [['a'], [1, Number.MAX_SAFE_INTEGER]],
          [['b'], [1, -5]],
          [['c'], [1, Number.MIN_SAFE_INTEGER]],
        ]);
        await store.write([profileBatch(big)]);
        const totals = await store.stackTotals(cpuFilter(), 10);
        expect(totals.map((t) => [t.frames[0], t.value])).toEqual([
          ['a', Number.MAX_SAFE_INTEGER],
          ['b', -5],
          ['c', Number.MIN_SAFE_INTEGER],
        ]);
      });

      it('filters on hostile service, instance and function names without breaking out of the literal', async () => {
        for (const [i, name] of HOSTILE.entries()) {
          const p = profileWith([[['root', name], [1, 100 + i]]], { service: name, instance: name });
          await store.write([{ ...profileBatch(p), metrics: [metric(name, i, T0, name, name)], events: [eventRecord({ service: name, instance: name, kind: name })] }]);
        }
        const services = await store.services(WIDE);
        expect(services.map((s) => s.service).sort()).toEqual([...HOSTILE].sort());
        for (const [i, name] of HOSTILE.entries()) {
          const filter = { ...WIDE, service: name, instance: name, profileType: 'cpu', sampleType: 'cpu' };
          expect((await store.stackTotals(filter, 5)).map((t) => t.value)).toEqual([100 + i]);
          expect((await store.events({ ...WIDE, service: name, instance: name, kind: name, limit: 5 })).length).toBe(1);
          expect((await store.profiles({ ...WIDE, service: name, instance: name, limit: 5 })).length).toBe(1);
          expect(await store.stacksContaining(name, name, WIDE)).toEqual([stackHash(['root', name])]);
          expect((await store.metricSeries({ ...WIDE, service: name, instance: name, name, stepMs: HOUR }))[0].points).toEqual([[T0, i]]);
          expect((await store.instances({ ...WIDE, service: name })).map((x) => x.instance)).toEqual([name]);
        }
      });

      it('stores real captured profiles: every stack and the exact totals of each sample type', async () => {
        const files = [
          ['go1.19-cpu.pb.gz', 'cpu'],
          ['go1.26-cpu.pb.gz', 'cpu'],
          ['go1.19-heap.pb.gz', 'heap'],
          ['go1.26-heap.pb.gz', 'heap'],
          ['go1.26-goroutine.pb.gz', 'goroutine'],
          ['go1.26-mutex.pb.gz', 'mutex'],
        ] as const;
        const captured = files.map(([file, type], i) => capturedProfile(file, type, { instance: `pod-${i}`, startMs: T0 + i * 1000 }));
        await store.write(captured.map((c) => profileBatch(c)));
        for (const c of captured) {
          for (const [sampleType, total] of c.totals) {
            const filter = cpuFilter({ profileType: c.profile.type, sampleType, profileIds: [c.profile.id] });
            const totals = await store.stackTotals(filter, 100_000);
            expect(totals.reduce((sum, t) => sum + t.value, 0)).toBe(total);
            expect(totals.length).toBe(new Set(c.samples.filter((s) => s.sampleType === sampleType).map((s) => s.stackHash)).size);
            for (const t of totals) expect(stackHash(t.frames)).toBe(t.hash);
          }
          const stored = await store.profile(c.profile.id, WIDE);
          expect(Buffer.from(stored!.pprofGzip).equals(Buffer.from(c.profile.pprofGzip))).toBe(true);
          expect(decodeProfile(stored!.pprofGzip).stacks.length).toBe(decodeProfile(c.profile.pprofGzip).stacks.length);
        }
      });
    });

    describe('idempotent writes', () => {
      /** Everything a duplicate could inflate, in one snapshot. */
      const snapshot = async (s: ProfileStore) => ({
        totals: await s.stackTotals(cpuFilter(), 100),
        perInstance: await s.instanceTotals(cpuFilter()),
        profiles: await s.profiles({ ...WIDE, limit: 100 }),
        events: await s.events({ ...WIDE, limit: 100 }),
        series: await s.metricSeries({ ...WIDE, service: 'checkout', name: 'cpu_percent', stepMs: DAY }),
        services: await s.services(WIDE),
        instances: await s.instances(WIDE),
      });
      const richBatch = (messageId: string): IngestBatch => {
        const p = profileWith([[['main', 'work'], [2, 20]]], { id: `p-${messageId}` });
        return {
          ...profileBatch(p, messageId),
          metrics: [metric('cpu_percent', 10, T0), metric('cpu_percent', 30, T0 + 1000)],
          events: [eventRecord({ id: `e-${messageId}` })],
          statuses: [status('UP', T0)],
        };
      };

      it('writes a message once: the same messageId again is skipped and reported as not new', async () => {
        const batch = richBatch('m-1');
        expect([...(await store.write([batch]))]).toEqual(['m-1']);
        const once = await snapshot(store);
        expect([...(await store.write([batch]))]).toEqual([]);
        expect(await snapshot(store)).toEqual(once);
        expect(once.totals[0].value).toBe(20);
        expect(once.perInstance).toEqual([{ service: 'checkout', instance: 'pod-a', value: 20, profiles: 1 }]);
        expect(once.series[0].points).toEqual([[Math.floor(T0 / DAY) * DAY, 20]]);
      });

      it('returns only the ids that were new, and a repeated id within one call counts once', async () => {
        await store.write([richBatch('m-old')]);
        const fresh = richBatch('m-new');
        const ids = await store.write([richBatch('m-old'), fresh, fresh]);
        expect([...ids].sort()).toEqual(['m-new']);
        const s = await snapshot(store);
        expect(s.profiles.length).toBe(2);
        expect(s.events.length).toBe(2);
        expect(s.totals[0].value).toBe(40);
        expect(s.perInstance[0].profiles).toBe(2);
      });

      it('two concurrent writes of the same batch store it once', async () => {
        const batch = richBatch('m-race');
        const [a, b] = await Promise.all([store.write([batch]), store.write([batch])]);
        expect(new Set([...a, ...b])).toEqual(new Set(['m-race']));
        const s = await snapshot(store);
        expect(s.totals).toEqual([{ hash: stackHash(['main', 'work']), frames: ['main', 'work'], value: 20, instances: 1 }]);
        expect(s.perInstance).toEqual([{ service: 'checkout', instance: 'pod-a', value: 20, profiles: 1 }]);
        expect(s.profiles.length).toBe(1);
        expect(s.events.length).toBe(1);
        expect(s.series[0].points[0][1]).toBe(20);
        expect(s.services).toEqual([{ service: 'checkout', instances: 1, lastSeenMs: T0 + 1000 }]);
      });

      it('an empty write and a write of nothing new resolve with no ids', async () => {
        expect((await store.write([])).size).toBe(0);
        expect([...(await store.write([{ messageId: 'm-empty', timeMs: T0 }]))]).toEqual(['m-empty']);
        expect((await store.write([{ messageId: 'm-empty', timeMs: T0 }])).size).toBe(0);
      });

      it('refuses bad input with the field named, and writes nothing of the call', async () => {
        const good = richBatch('m-good');
        const p = profileWith([[['x'], [1, 1]]]);
        const bad: IngestBatch = { ...profileBatch(p, 'm-bad'), samples: [{ ...p.samples[0], value: Number.NaN }] };
        await expect(store.write([good, bad])).rejects.toThrow(/batches\[1\]\.samples\[0\]\.value/);
        await expect(store.write([{ ...good, messageId: '' }])).rejects.toThrow(/batches\[0\]\.messageId: must not be empty/);
        await expect(store.write([{ ...good, stacks: [{ service: 'checkout', hash: 'XYZ', frames: [] }] }])).rejects.toThrow(/stacks\[0\]\.hash/);
        await expect(store.write([{ ...good, timeMs: -1 }])).rejects.toThrow(/timeMs/);
        expect(await store.profiles({ ...WIDE, limit: 10 })).toEqual([]);
        expect([...(await store.write([good]))]).toEqual(['m-good']);
      });
    });

    describe('events and profiles listings', () => {
      it('lists events newest first with service, instance, kind, closed-open range and limit filters', async () => {
        const events = [
          eventRecord({ id: 'e1', timeMs: T0, kind: 'cpu' }),
          eventRecord({ id: 'e2', timeMs: T0 + 1, kind: 'memory', instance: 'pod-b' }),
          eventRecord({ id: 'e3', timeMs: T0 + 2, kind: 'cpu', service: 'billing' }),
          eventRecord({ id: 'e4', timeMs: T0 + 3, kind: 'deadlock' }),
        ];
        await store.write([{ messageId: 'm-e', timeMs: T0, events }]);
        const ids = async (f: Partial<Parameters<ProfileStore['events']>[0]>) => (await store.events({ ...WIDE, limit: 10, ...f })).map((e) => e.id);
        expect(await ids({})).toEqual(['e4', 'e3', 'e2', 'e1']);
        expect(await ids({ service: 'checkout' })).toEqual(['e4', 'e2', 'e1']);
        expect(await ids({ instance: 'pod-b' })).toEqual(['e2']);
        expect(await ids({ kind: 'cpu' })).toEqual(['e3', 'e1']);
        expect(await ids({ fromMs: T0 + 1, toMs: T0 + 3 })).toEqual(['e3', 'e2']);
        expect(await ids({ limit: 2 })).toEqual(['e4', 'e3']);
        expect(await ids({ fromMs: T0 + 10, toMs: T0 + 10 })).toEqual([]);
        await expect(store.events({ ...WIDE, limit: 0 })).rejects.toThrow(/limit/);
      });

      it('lists profiles newest first with service, instance, type, trigger, ids, closed-open range and limit filters', async () => {
        const rule = { kind: 'rule', rule: 'cpu', value: 1, average: 1, threshold: 1, eventId: 'e' } as const;
        const ps = [
          profileRecord({ id: 'p1', startMs: T0 }),
          profileRecord({ id: 'p2', startMs: T0 + 1, instance: 'pod-b', trigger: rule }),
          profileRecord({ id: 'p3', startMs: T0 + 2, type: 'heap', sampleTypes: [{ type: 'inuse_space', unit: 'bytes' }] }),
          profileRecord({ id: 'p4', startMs: T0 + 3, service: 'billing', trigger: { kind: 'analysis', analysis: 'deadlock', eventId: 'e' } }),
        ];
        await store.write(ps.map((p) => ({ messageId: `m-${p.id}`, timeMs: p.startMs, profiles: [p] })));
        const ids = async (f: Partial<Parameters<ProfileStore['profiles']>[0]>) => (await store.profiles({ ...WIDE, limit: 10, ...f })).map((p) => p.id);
        expect(await ids({})).toEqual(['p4', 'p3', 'p2', 'p1']);
        expect(await ids({ service: 'checkout' })).toEqual(['p3', 'p2', 'p1']);
        expect(await ids({ instance: 'pod-b' })).toEqual(['p2']);
        expect(await ids({ type: 'heap' })).toEqual(['p3']);
        expect(await ids({ trigger: 'rule' })).toEqual(['p2']);
        expect(await ids({ trigger: 'analysis' })).toEqual(['p4']);
        expect(await ids({ trigger: 'baseline' })).toEqual(['p3', 'p1']);
        expect(await ids({ ids: ['p1', 'p4', 'nope'] })).toEqual(['p4', 'p1']);
        expect(await ids({ ids: [] })).toEqual([]);
        expect(await ids({ fromMs: T0 + 1, toMs: T0 + 3 })).toEqual(['p3', 'p2']);
        expect(await ids({ limit: 1 })).toEqual(['p4']);
      });

      it('returns a profile with its bytes only when it started within the range given', async () => {
        const p = profileRecord({ id: 'p-bytes', pprofGzip: fixture('go1.19-goroutine.pb.gz'), type: 'goroutine' });
        await store.write([{ messageId: 'm-bytes', timeMs: T0, profiles: [p] }]);
        const stored = await store.profile('p-bytes', { fromMs: T0, toMs: T0 + 1 });
        expect(Buffer.from(stored!.pprofGzip).equals(readFileSync(join(FIXTURES, 'go1.19-goroutine.pb.gz')))).toBe(true);
        expect(await store.profile('p-bytes', { fromMs: T0 + 1, toMs: T0 + DAY })).toBeUndefined();
        expect(await store.profile('p-bytes', { fromMs: T0 - DAY, toMs: T0 })).toBeUndefined();
        expect(await store.profile('no-such-id', WIDE)).toBeUndefined();
      });
    });

    describe('sample aggregates', () => {
      /** Two instances, three profiles; stack values chosen so every sum is distinct. */
      async function writeFleet() {
        const hot = ['runtime.main', 'main.serve', 'main.hot'];
        const warm = ['runtime.main', 'main.serve', 'main.warm'];
        const cold = ['runtime.main', 'main.cold'];
        const a1 = profileWith([[hot, [1, 100]], [warm, [1, 10]]], { instance: 'pod-a', startMs: T0 });
        const a2 = profileWith([[hot, [1, 200]], [cold, [1, 1]]], { instance: 'pod-a', startMs: T0 + HOUR });
        const b1 = profileWith([[hot, [1, 1000]], [warm, [1, 20]]], { instance: 'pod-b', startMs: T0 + 2 * HOUR });
        const other = profileWith([[hot, [1, 5]]], { service: 'billing', startMs: T0 });
        const heap = profileWith([[hot, [999]]], { type: 'heap', sampleTypes: [{ type: 'inuse_space', unit: 'bytes' }] });
        await store.write([a1, a2, b1, other, heap].map((p) => profileBatch(p)));
        return { hot: stackHash(hot), warm: stackHash(warm), cold: stackHash(cold), hotFrames: hot, a1, a2, b1 };
      }

      it('stackTotals sums a stack across profiles and instances, counts instances, largest first, at most limit', async () => {
        const f = await writeFleet();
        expect(await store.stackTotals(cpuFilter(), 10)).toEqual([
          { hash: f.hot, frames: f.hotFrames, value: 1300, instances: 2 },
          { hash: f.warm, frames: ['runtime.main', 'main.serve', 'main.warm'], value: 30, instances: 2 },
          { hash: f.cold, frames: ['runtime.main', 'main.cold'], value: 1, instances: 1 },
        ]);
        expect((await store.stackTotals(cpuFilter(), 2)).map((t) => t.hash)).toEqual([f.hot, f.warm]);
        expect((await store.stackTotals(cpuFilter({ sampleType: 'samples' }), 10)).map((t) => t.value)).toEqual([3, 2, 1]);
      });

      it('stackValues reads what stackTotals reads, without instance counts', async () => {
        await writeFleet();
        const withoutInstances = (totals: readonly StackTotal[]) => totals.map((t) => ({ ...t, instances: 0 }));
        expect(await store.stackValues(cpuFilter(), 10)).toEqual(withoutInstances(await store.stackTotals(cpuFilter(), 10)));
        expect(await store.stackValues(cpuFilter({ instance: 'pod-a' }), 2)).toEqual(withoutInstances(await store.stackTotals(cpuFilter({ instance: 'pod-a' }), 2)));
        expect((await store.stackValues(cpuFilter(), 10)).map((t) => t.value)).toEqual([1300, 30, 1]);
      });

      it('stackTotals filters by instance, profile ids and closed-open range', async () => {
        const f = await writeFleet();
        const values = async (o: Partial<SampleFilter>) => (await store.stackTotals(cpuFilter(o), 10)).map((t) => [t.hash, t.value, t.instances]);
        expect(await values({ instance: 'pod-a' })).toEqual([
          [f.hot, 300, 1],
          [f.warm, 10, 1],
          [f.cold, 1, 1],
        ]);
        expect(await values({ profileIds: [f.a1.profile.id, f.b1.profile.id] })).toEqual([
          [f.hot, 1100, 2],
          [f.warm, 30, 2],
        ]);
        expect(await values({ profileIds: [] })).toEqual([]);
        expect(await values({ fromMs: T0 + HOUR, toMs: T0 + 2 * HOUR })).toEqual([
          [f.hot, 200, 1],
          [f.cold, 1, 1],
        ]);
        expect(await values({ fromMs: T0 + 1, toMs: T0 + HOUR })).toEqual([]);
        expect(await values({ profileType: 'heap', sampleType: 'inuse_space' })).toEqual([[f.hot, 999, 1]]);
        expect(await values({ service: 'nobody' })).toEqual([]);
      });

      it('instanceTotals: per instance the value of the stacks asked about (all by default) and the number of profiles', async () => {
        const f = await writeFleet();
        expect(await store.instanceTotals(cpuFilter())).toEqual([
          { service: 'checkout', instance: 'pod-b', value: 1020, profiles: 1 },
          { service: 'checkout', instance: 'pod-a', value: 311, profiles: 2 },
        ]);
        expect(await store.instanceTotals(cpuFilter(), [f.cold])).toEqual([
          { service: 'checkout', instance: 'pod-a', value: 1, profiles: 2 },
          { service: 'checkout', instance: 'pod-b', value: 0, profiles: 1 },
        ]);
        expect(await store.instanceTotals(cpuFilter(), [f.hot, f.warm])).toEqual([
          { service: 'checkout', instance: 'pod-b', value: 1020, profiles: 1 },
          { service: 'checkout', instance: 'pod-a', value: 310, profiles: 2 },
        ]);
        expect(await store.instanceTotals(cpuFilter({ instance: 'pod-a', fromMs: T0 + HOUR }), [f.hot])).toEqual([
          { service: 'checkout', instance: 'pod-a', value: 200, profiles: 1 },
        ]);
        expect(await store.instanceTotals(cpuFilter({ profileIds: [f.a1.profile.id] }))).toEqual([
          { service: 'checkout', instance: 'pod-a', value: 110, profiles: 1 },
        ]);
      });

      it('stacksContaining finds the service stacks with a frame, over the range days only', async () => {
        const f = await writeFleet();
        expect(await store.stacksContaining('checkout', 'main.serve', WIDE)).toEqual([f.hot, f.warm].sort());
        expect(await store.stacksContaining('checkout', 'runtime.main', WIDE)).toEqual([f.hot, f.warm, f.cold].sort());
        expect(await store.stacksContaining('checkout', 'main.ser', WIDE)).toEqual([]);
        expect(await store.stacksContaining('billing', 'main.cold', WIDE)).toEqual([]);
        expect(await store.stacksContaining('checkout', 'main.hot', { fromMs: T0 + DAY, toMs: T0 + 2 * DAY })).toEqual([]);
      });

      it('counts a sample only when its profile is stored (the profile row is what makes a copy visible)', async () => {
        const p = profileWith([[['orphan'], [1, 7]]]);
        await store.write([{ messageId: 'm-orphan', timeMs: T0, stacks: p.stacks, samples: p.samples }]);
        expect(await store.stackTotals(cpuFilter(), 10)).toEqual([]);
      });
    });

    describe('metrics and summaries', () => {
      it('metricSeries averages each bucket per instance, buckets ascending, closed-open range', async () => {
        const step = 60_000;
        await store.write([
          {
            messageId: 'm-metrics',
            timeMs: T0,
            metrics: [
              metric('cpu_percent', 10, T0),
              metric('cpu_percent', 20, T0 + 10_000),
              metric('cpu_percent', 60, T0 + step),
              metric('cpu_percent', 99, T0 + 2 * step),
              metric('cpu_percent', 5, T0, 'pod-b'),
              metric('rss_bytes', 1e9, T0),
              metric('cpu_percent', 50, T0, 'pod-x', 'billing'),
            ],
          },
        ]);
        const series = await store.metricSeries({ fromMs: T0, toMs: T0 + 2 * step, service: 'checkout', name: 'cpu_percent', stepMs: step });
        expect(series).toEqual([
          { service: 'checkout', instance: 'pod-a', points: [[T0, 15], [T0 + step, 60]] },
          { service: 'checkout', instance: 'pod-b', points: [[T0, 5]] },
        ]);
        expect(await store.metricSeries({ fromMs: T0, toMs: T0 + DAY, service: 'checkout', instance: 'pod-a', name: 'cpu_percent', stepMs: 3 * step })).toEqual([
          { service: 'checkout', instance: 'pod-a', points: [[T0, (10 + 20 + 60 + 99) / 4]] },
        ]);
        expect(await store.metricSeries({ fromMs: T0 + 1, toMs: T0 + step, service: 'checkout', name: 'cpu_percent', stepMs: step })).toEqual([
          { service: 'checkout', instance: 'pod-a', points: [[T0, 20]] },
        ]);
        await expect(store.metricSeries({ ...WIDE, service: 'checkout', name: 'cpu_percent', stepMs: 0 })).rejects.toThrow(/stepMs/);
      });

      it('services and instances: last seen over every kind of row, latest metric values, latest state', async () => {
        await store.write([
          { messageId: 'm-s1', timeMs: T0, metrics: [metric('cpu_percent', 10, T0), metric('cpu_percent', 40, T0 + 5000), metric('goroutines', 12, T0)], statuses: [status('UP', T0)] },
          { messageId: 'm-s2', timeMs: T0, statuses: [status('DEGRADED', T0 + 7000)], events: [eventRecord({ instance: 'pod-b', timeMs: T0 + 9000 })] },
          { messageId: 'm-s3', timeMs: T0, profiles: [profileRecord({ service: 'billing', instance: 'pod-z', startMs: T0 + 123 })] },
        ]);
        expect(await store.services(WIDE)).toEqual([
          { service: 'billing', instances: 1, lastSeenMs: T0 + 123 },
          { service: 'checkout', instances: 2, lastSeenMs: T0 + 9000 },
        ]);
        expect(await store.instances({ ...WIDE, service: 'checkout' })).toEqual([
          { service: 'checkout', instance: 'pod-a', lastSeenMs: T0 + 7000, latestMetrics: { cpu_percent: 40, goroutines: 12 }, state: 'DEGRADED' },
          { service: 'checkout', instance: 'pod-b', lastSeenMs: T0 + 9000, latestMetrics: {} },
        ]);
        expect(await store.instances({ fromMs: T0, toMs: T0 + 5000 })).toEqual([
          { service: 'billing', instance: 'pod-z', lastSeenMs: T0 + 123, latestMetrics: {} },
          { service: 'checkout', instance: 'pod-a', lastSeenMs: T0, latestMetrics: { cpu_percent: 10, goroutines: 12 }, state: 'UP' },
        ]);
        expect(await store.services({ fromMs: T0 + DAY, toMs: T0 + 2 * DAY })).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      it('dropBefore drops whole days before the cutoff day and keeps the cutoff day', async () => {
        const days = [T0 - 2 * DAY, T0 - DAY, T0];
        for (const [i, t] of days.entries()) {
          const p = profileWith([[['main', `day${i}`], [1, 10]]], { startMs: t });
          await store.write([{ ...profileBatch(p, `m-day${i}`), metrics: [metric('cpu_percent', i, t)], events: [eventRecord({ timeMs: t })], statuses: [status('UP', t)] }]);
        }
        const cutoff = T0 - 9 * HOUR; // 01:00 on T0's day
        expect(await store.dropBefore(cutoff)).toEqual(['2026-11-24', '2026-11-25']);
        expect((await store.profiles({ ...WIDE, limit: 10 })).map((p) => p.startMs)).toEqual([T0]);
        expect((await store.events({ ...WIDE, limit: 10 })).map((e) => e.timeMs)).toEqual([T0]);
        expect((await store.stackTotals(cpuFilter(), 10)).map((t) => t.frames[1])).toEqual(['day2']);
        expect(await store.stacksContaining('checkout', 'day0', WIDE)).toEqual([]);
        expect((await store.metricSeries({ ...WIDE, service: 'checkout', name: 'cpu_percent', stepMs: DAY }))[0].points).toEqual([[Math.floor(T0 / DAY) * DAY, 2]]);
        expect(await store.dropBefore(cutoff)).toEqual([]);
        // The ledger of a dropped day went with it; the cutoff day's ledger stays.
        expect((await store.write([{ messageId: 'm-day2', timeMs: T0 }])).size).toBe(0);
      });

      it('init() runs again on an initialised store with data, and from two callers at once', async () => {
        await store.write([profileBatch(profileWith([[['x'], [1, 3]]]), 'm-init')]);
        await store.init();
        await Promise.all([store.init(), store.init()]);
        expect((await store.stackTotals(cpuFilter(), 10)).map((t) => t.value)).toEqual([3]);
        expect((await store.write([{ messageId: 'm-init', timeMs: T0 }])).size).toBe(0);
        await store.ping();
      });

      it('a store reopened on the same data answers the same and remembers what it stored', async () => {
        const p = profileWith([[['x', 'y'], [1, 9]]]);
        await store.write([{ ...profileBatch(p, 'm-reopen'), events: [eventRecord({ id: 'e-reopen' })] }]);
        const before = await store.stackTotals(cpuFilter(), 10);
        store = await opened.reopen();
        expect(await store.stackTotals(cpuFilter(), 10)).toEqual(before);
        expect((await store.events({ ...WIDE, limit: 5 })).map((e) => e.id)).toEqual(['e-reopen']);
        expect((await store.write([profileBatch(p, 'm-reopen')])).size).toBe(0);
        expect((await store.stackTotals(cpuFilter(), 10))[0].value).toBe(9);
      });

      it('answers empty ranges with nothing and refuses malformed queries by name', async () => {
        const empty = { fromMs: T0, toMs: T0 };
        expect(await store.services(empty)).toEqual([]);
        expect(await store.instances(empty)).toEqual([]);
        expect(await store.stackTotals(cpuFilter(empty), 10)).toEqual([]);
        expect(await store.instanceTotals(cpuFilter(empty))).toEqual([]);
        expect(await store.metricSeries({ ...empty, service: 'checkout', name: 'x', stepMs: 1000 })).toEqual([]);
        await expect(store.stackTotals(cpuFilter({ fromMs: Number.NaN }), 10)).rejects.toThrow(/fromMs/);
        await expect(store.stackTotals(cpuFilter(), -1)).rejects.toThrow(/limit/);
      });
    });
  });
}
