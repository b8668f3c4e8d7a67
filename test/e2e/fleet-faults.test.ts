import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pprofTop, waitFor } from '@stackwatch/testing';
import type { DiffView, EventView, FunctionInstanceView, HotspotsView, InstanceView, ProfileView } from './support/api-types';
import { FAULTS, type FaultCase } from './support/faults';
import { AGENT_SETTINGS, startFleet, type Fleet, type FleetOptions } from './support/fleet';

/**
 * The product's acceptance: real Go services misbehave, stackwatch agents catch it, the aggregator
 * stores it, and the culprit is found through the REST API. Two fleets run side by side, each one
 * service of three instances: on ClickHouse with one agent per instance (sidecars) and fixtures
 * built by the machine's Go, and on the embedded DuckDB with one agent discovering all three
 * (fixtures built by Go 1.19). Both first serve healthy, varying traffic (no event may fire), then
 * get the five faults, each on one instance only. The no-false-alarm phase runs with the suite's
 * sensitive settings (a 6-sample window at 500 ms, lowered minimums): if those stay quiet, the
 * defaults (10 samples at 1 s) do too.
 */
const HEALTHY_MS = Number(process.env.E2E_HEALTHY_SECONDS ?? 180) * 1000;
const FLEETS: FleetOptions[] = [
  { service: 'shop', store: 'clickhouse', agents: 'sidecars', go: 'system', backgroundRps: 40 },
  { service: 'shop-go119', store: 'duckdb', agents: 'discover', go: '1.19', backgroundRps: 40 },
];

/** Downloaded profiles, for go tool pprof. */
const downloads = mkdtempSync(join(tmpdir(), 'stackwatch-e2e-pprof-'));

const q = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();

describe('e2e: the five faults caught across a fleet, on ClickHouse and on DuckDB', () => {
  let fleets: Fleet[] = [];
  let startedAt = 0;
  const aborts = new AbortController();

  beforeAll(async () => {
    startedAt = Date.now();
    const settled = await Promise.allSettled(FLEETS.map((options) => startFleet(options)));
    fleets = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }, 180_000);

  afterAll(async () => {
    aborts.abort();
    await Promise.all(fleets.map((f) => f.stop()));
    rmSync(downloads, { recursive: true, force: true });
  }, 60_000);

  const eachFleet = (check: (fleet: Fleet) => Promise<void>) => Promise.all(fleets.map(check));

  it(
    'three instances under healthy, varying load raise no event, while every instance reports',
    async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + HEALTHY_MS - Date.now())));
      await eachFleet(async (fleet) => {
        const service = fleet.options.service;
        // The agents did watch: every instance sent metrics (and the discovering agent found all three).
        const instances = await fleet.api<InstanceView[]>(`/instances?${q({ service, from: startedAt })}`);
        expect(instances.map((i) => i.instance).sort()).toEqual(fleet.instances.map((i) => i.name));
        for (const instance of instances) expect(instance.latestMetrics).toEqual(expect.objectContaining({ cpu_percent: expect.any(Number), goroutines: expect.any(Number) }));
        expect(await fleet.api<EventView[]>(`/events?${q({ service, from: startedAt })}`)).toEqual([]);
      });
    },
    HEALTHY_MS + 120_000,
  );

  it('fleet hotspots merge the baseline CPU profiles of all three instances', async () => {
    await eachFleet(async (fleet) => {
      const service = fleet.options.service;
      const window = { service, type: 'cpu', from: startedAt, to: Date.now() };
      const fleetWide = await fleet.api<HotspotsView>(`/hotspots?${q({ ...window, limit: 10 })}`);
      const perInstance = await Promise.all(fleet.instances.map((i) => fleet.api<HotspotsView>(`/hotspots?${q({ ...window, instance: i.name, limit: 10 })}`)));
      expect(fleetWide.instances).toBe(3);
      expect(perInstance.every((h) => h.instances === 1 && h.profiles >= 1)).toBe(true);
      expect(fleetWide.profiles).toBe(perInstance.reduce((n, h) => n + h.profiles, 0));
      expect(fleetWide.total).toBeCloseTo(perInstance.reduce((n, h) => n + h.total, 0), -3);
      expect(fleetWide.functions.length).toBeGreaterThan(0);
    });
  });

  it.each(FAULTS.map((fault) => [fault.name, fault] as const))(
    '%s: the event on the faulty instance, its profile naming the culprit through the API and go tool pprof, fleet queries pointing at it',
    async (_name, fault) => {
      await eachFleet((fleet) => checkFault(fleet, fault, startedAt, aborts.signal));
    },
    150_000,
  );
});

async function checkFault(fleet: Fleet, fault: FaultCase, startedAt: number, abort: AbortSignal): Promise<void> {
  const service = fleet.options.service;
  const target = fleet.instances[fault.instance];
  const where = `${service}/${target.name}`;
  const faultStart = Date.now();
  await fault.trigger(target, abort);
  const triggered = Date.now();
  try {
    // The event, stored with every profile it captured (the CPU windows ship after they end).
    const event = await waitFor(
      `a ${fault.kind} event on ${where} with its profiles stored`,
      async () => {
        const [found] = await fleet.api<EventView[]>(`/events?${q({ service, instance: target.name, kind: fault.kind, from: faultStart - 1000 })}`);
        return found && found.profiles.length > 0 && found.profiles.every((p) => p.type !== null) ? found : undefined;
      },
      { timeoutMs: fault.detectionBoundMs + AGENT_SETTINGS.flightRecorderWindowMs + 30_000, intervalMs: 500 },
    );
    expect(event.timeMs).toBeGreaterThanOrEqual(faultStart - 1000);
    expect(event.timeMs - triggered).toBeLessThanOrEqual(fault.detectionBoundMs);
    // Only the faulty instance raised it.
    const all = await fleet.api<EventView[]>(`/events?${q({ service, kind: fault.kind, from: faultStart - 1000 })}`);
    expect(new Set(all.map((e) => e.instance))).toEqual(new Set([target.name]));

    const profile = await culpritProfile(fleet, fault, event);
    const [meta] = await fleet.api<ProfileView[]>(`/profiles?${q({ service, instance: target.name, type: fault.profileType, from: faultStart - 60_000 })}`).then((ps) =>
      ps.filter((p) => p.id === profile),
    );
    expect(meta).toBeDefined();

    // The same profile downloaded as pprof: go tool pprof names the culprit too.
    const file = join(downloads, `${service}-${fault.name}.pb.gz`);
    writeFileSync(file, await fleet.download(`/profiles/${encodeURIComponent(profile)}/pprof`));
    const sampleIndex = meta.sampleTypes.findIndex((t) => t.type === fault.sampleType);
    const top = await pprofTop(file, { sampleIndex, unit: meta.sampleTypes[sampleIndex].unit });
    const pprofFunctions = top.rows.filter((r) => r.cum > 0n).map((r) => r.function);
    expect(pprofFunctions).toEqual(expect.arrayContaining([...fault.culprits]));

    // Fleet-wide: of the service's instances, the faulty one runs the culprit most.
    const ranked = await fleet.api<FunctionInstanceView[]>(
      `/functions/instances?${q({ service, function: fault.culprits[0], type: fault.profileType, sampleType: fault.sampleType, from: faultStart - AGENT_SETTINGS.flightRecorderWindowMs - 1000 })}`,
    );
    expect(ranked[0]?.instance).toBe(target.name);

    // Against the instance's own baseline before the fault, the culprit is what grew most.
    const [baseline] = await fleet.api<ProfileView[]>(
      `/profiles?${q({ service, instance: target.name, type: fault.profileType, trigger: 'baseline', from: startedAt, to: faultStart, limit: 1 })}`,
    );
    expect(baseline).toBeDefined();
    const diff = await fleet.api<DiffView>(`/diff?${q({ baseProfile: baseline.id, profile, sampleType: fault.sampleType, order: 'self', hide: 'std', limit: 5 })}`);
    expect(fault.culprits).toContain(diff.functions[0]?.function);
    expect(diff.functions[0].self.delta).toBeGreaterThan(0);
  } finally {
    if (fault.name === 'memory') await target.fixture.get('/fault/reset');
  }
}

/**
 * The event's profile of the fault's type whose hotspots (through the API) name the culprit. A CPU
 * event ships the flight-recorder windows around it, and the first may end as the burn begins:
 * one of them must have the busy loop on top.
 */
async function culpritProfile(fleet: Fleet, fault: FaultCase, event: EventView): Promise<string> {
  const candidates = event.profiles.filter((p) => p.type === fault.profileType);
  expect(candidates.length).toBeGreaterThan(0);
  const tops: Record<string, string[]> = {};
  for (const { id } of candidates) {
    const hot = await fleet.api<HotspotsView>(`/hotspots?${q({ profile: id, sampleType: fault.sampleType, order: 'total', limit: 40 })}`);
    const names = hot.functions.map((f) => f.function);
    tops[id] = names.slice(0, 10);
    if (fault.culprits.every((c) => names.includes(c))) return id;
  }
  throw new Error(`no ${fault.profileType} profile of the ${fault.kind} event names ${fault.culprits.join(' and ')}; their top functions: ${JSON.stringify(tops)}`);
}
