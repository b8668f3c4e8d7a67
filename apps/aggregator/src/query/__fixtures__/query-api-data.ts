import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeProfile, functionValues, totalValue, type NormalizedProfile } from '@stackwatch/pprof';
import { profileRows } from '../../ingest/profile-rows';
import type { EventRecord, IngestBatch, MetricRecord, ProfileStore, StatusRecord, StoredTrigger } from '../../store/profile-store';

/*
 * A small fleet written through the real store from the captured Go profiles in
 * test/fixtures/profiles, with times relative to a pinned "now" (the query API is given the same
 * clock). Expected numbers are computed from the fixtures with @stackwatch/pprof, so the answers
 * are checked against what go tool pprof reads in each file.
 *
 * service checkout, profile type cpu (go1.26-cpu.pb.gz unless noted):
 *   current window [now-20m, now):        i1..i4, 2 profiles each (8)
 *   base window    [now-60m, now-20m):    i1, i2, 4 profiles each (8) — twice as long, half the instances
 *   cpu-old-i5 at now-2h (go1.19-cpu.pb.gz, 2.12 s), outside the default hour
 * heap:      i1 two go1.26 profiles, i2 one go1.19 profile, in the current window (unequal counts)
 * goroutine: i1 three go1.26, i2 three go1.19 profiles (equal counts)
 * mutex:     i1 one go1.26 profile
 * service search: one cpu profile on i9 at now-30m, an event, a status.
 */

const FIXTURES = resolve(__dirname, '../../../../../test/fixtures/profiles');
const MINUTE = 60_000;

export function fixturePath(name: string): string {
  return resolve(FIXTURES, name);
}

export interface Fixture {
  readonly file: string;
  readonly bytes: Buffer;
  readonly profile: NormalizedProfile;
}

function fixture(name: string): Fixture {
  const file = fixturePath(name);
  const bytes = readFileSync(file);
  return { file, bytes, profile: decodeProfile(bytes) };
}

export const fixtures = {
  cpu26: fixture('go1.26-cpu.pb.gz'),
  cpu19: fixture('go1.19-cpu.pb.gz'),
  heap26: fixture('go1.26-heap.pb.gz'),
  heap19: fixture('go1.19-heap.pb.gz'),
  goroutine26: fixture('go1.26-goroutine.pb.gz'),
  goroutine19: fixture('go1.19-goroutine.pb.gz'),
  mutex26: fixture('go1.26-mutex.pb.gz'),
};

/** A function's self and total in one fixture, as numbers. */
export function valuesOf(f: Fixture, sampleType: string, fn: string): { self: number; total: number } {
  const v = functionValues(f.profile, sampleType).get(fn);
  if (!v) throw new Error(`${f.file} has no ${fn} in ${sampleType}`);
  return { self: Number(v.self), total: Number(v.total) };
}

export function totalOf(f: Fixture, sampleType: string): number {
  return Number(totalValue(f.profile, sampleType));
}

interface ProfileSpec {
  readonly id: string;
  readonly service: string;
  readonly instance: string;
  readonly type: string;
  readonly fixture: Fixture;
  readonly startMs: number;
  readonly durationMs: number;
  readonly trigger?: StoredTrigger;
}

function profileBatch(spec: ProfileSpec): IngestBatch {
  const rows = profileRows(
    {
      id: spec.id,
      service: spec.service,
      instance: spec.instance,
      labels: { zone: 'eu-1' },
      pid: 4242,
      goVersion: spec.fixture.file.includes('go1.19') ? 'go1.19.8' : 'go1.26.8',
      type: spec.type,
      startMs: spec.startMs,
      durationMs: spec.durationMs,
      trigger: spec.trigger ?? { kind: 'baseline' },
      pprofGzip: new Uint8Array(spec.fixture.bytes),
    },
    spec.fixture.profile,
  );
  return { messageId: `msg-${spec.id}`, timeMs: spec.startMs, profiles: [rows.profile], stacks: rows.stacks, samples: rows.samples };
}

/** Everything the fleet holds, by name, for assertions. */
export interface FleetData {
  readonly nowMs: number;
  readonly ids: {
    readonly currentCpu: readonly string[];
    readonly baseCpu: readonly string[];
    readonly oldCpu: string;
    readonly ruleCpu: string;
    readonly leakGoroutine: string;
  };
  readonly events: readonly EventRecord[];
}

export async function writeFleet(store: ProfileStore, nowMs: number): Promise<FleetData> {
  const batches: IngestBatch[] = [];
  const specs: ProfileSpec[] = [];
  const at = (minutesAgo: number, seconds = 0) => nowMs - minutesAgo * MINUTE + seconds * 1000;
  const currentCpu: string[] = [];
  const baseCpu: string[] = [];

  ['i1', 'i2', 'i3', 'i4'].forEach((instance, i) => {
    for (const [k, minutesAgo] of [15, 5].entries()) {
      const id = `cpu-now-${instance}-${k}`;
      currentCpu.push(id);
      const trigger: StoredTrigger | undefined =
        id === 'cpu-now-i1-0' ? { kind: 'rule', rule: 'cpu', value: 92, average: 40, threshold: 70, eventId: 'ev-cpu' } : undefined;
      specs.push({ id, service: 'checkout', instance, type: 'cpu', fixture: fixtures.cpu26, startMs: at(minutesAgo, i), durationMs: 2000, trigger });
    }
  });
  ['i1', 'i2'].forEach((instance, i) => {
    for (const [k, minutesAgo] of [55, 45, 35, 25].entries()) {
      const id = `cpu-base-${instance}-${k}`;
      baseCpu.push(id);
      specs.push({ id, service: 'checkout', instance, type: 'cpu', fixture: fixtures.cpu26, startMs: at(minutesAgo, i), durationMs: 2000 });
    }
  });
  specs.push({ id: 'cpu-old-i5', service: 'checkout', instance: 'i5', type: 'cpu', fixture: fixtures.cpu19, startMs: at(120), durationMs: 2120 });
  specs.push({ id: 'heap-i1-0', service: 'checkout', instance: 'i1', type: 'heap', fixture: fixtures.heap26, startMs: at(15), durationMs: 0 });
  specs.push({ id: 'heap-i1-1', service: 'checkout', instance: 'i1', type: 'heap', fixture: fixtures.heap26, startMs: at(5), durationMs: 0 });
  specs.push({ id: 'heap-i2-0', service: 'checkout', instance: 'i2', type: 'heap', fixture: fixtures.heap19, startMs: at(10), durationMs: 0 });
  for (const [k, minutesAgo] of [15, 10, 5].entries()) {
    specs.push({ id: `goroutine-i1-${k}`, service: 'checkout', instance: 'i1', type: 'goroutine', fixture: fixtures.goroutine26, startMs: at(minutesAgo, 1), durationMs: 0 });
    specs.push({ id: `goroutine-i2-${k}`, service: 'checkout', instance: 'i2', type: 'goroutine', fixture: fixtures.goroutine19, startMs: at(minutesAgo, 2), durationMs: 0 });
  }
  specs.push({ id: 'mutex-i1-0', service: 'checkout', instance: 'i1', type: 'mutex', fixture: fixtures.mutex26, startMs: at(12), durationMs: 0 });
  specs.push({ id: 'cpu-search-i9', service: 'search', instance: 'i9', type: 'cpu', fixture: fixtures.cpu19, startMs: at(30), durationMs: 2120 });
  batches.push(...specs.map(profileBatch));

  const events: EventRecord[] = [
    {
      id: 'ev-cpu',
      service: 'checkout',
      instance: 'i1',
      timeMs: at(15, -1),
      kind: 'cpu',
      value: 92,
      average: 40,
      threshold: 70,
      reason: 'cpu_percent 92 > 70',
      profileIds: ['cpu-now-i1-0'],
      findings: [],
    },
    {
      id: 'ev-leak',
      service: 'checkout',
      instance: 'i1',
      timeMs: at(10),
      kind: 'goroutine_leak',
      value: 40,
      average: 0,
      threshold: 0,
      reason: '40 goroutines blocked for 5 minutes',
      profileIds: ['goroutine-i1-1'],
      findings: [
        {
          kind: 'goroutine_leak',
          summary: '40 goroutines blocked in chan receive',
          stacks: [{ frames: ['main.main', 'main.handleLeak.func1'], count: 40, state: 'chan receive', createdBy: 'main.handleLeak' }],
        },
      ],
    },
    {
      id: 'ev-search',
      service: 'search',
      instance: 'i9',
      timeMs: at(30),
      kind: 'memory',
      value: 85,
      average: 50,
      threshold: 80,
      reason: 'memory_percent 85 > 80',
      profileIds: [],
      findings: [],
    },
  ];
  batches.push(...events.map((e) => ({ messageId: `msg-${e.id}`, timeMs: e.timeMs, events: [e] })));

  // i1 reports cpu_percent every 10 s over the last 10 minutes: values 0..59 in order.
  const metrics: MetricRecord[] = [];
  for (let k = 0; k < 60; k++) metrics.push({ service: 'checkout', instance: 'i1', timeMs: at(10, k * 10), name: 'cpu_percent', value: k });
  metrics.push({ service: 'checkout', instance: 'i1', timeMs: at(3), name: 'goroutines', value: 120 });
  metrics.push({ service: 'checkout', instance: 'i2', timeMs: at(1), name: 'cpu_percent', value: 50 });
  batches.push({ messageId: 'msg-metrics', timeMs: at(10), metrics });

  const status = (instance: string, minutesAgo: number, state: string, service = 'checkout'): StatusRecord => ({
    service,
    instance,
    timeMs: at(minutesAgo),
    state,
    detail: '',
    pid: 4242,
    goVersion: 'go1.26.8',
    url: `http://${instance}:6060/debug/pprof/`,
    labels: {},
  });
  batches.push({
    messageId: 'msg-statuses',
    timeMs: at(50),
    statuses: [status('i1', 50, 'UP'), status('i1', 5, 'DEGRADED'), status('i2', 50, 'UP'), status('i9', 40, 'UP', 'search')],
  });

  await store.write(batches);
  return {
    nowMs,
    ids: { currentCpu, baseCpu, oldCpu: 'cpu-old-i5', ruleCpu: 'cpu-now-i1-0', leakGoroutine: 'goroutine-i1-1' },
    events,
  };
}
