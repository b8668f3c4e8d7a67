import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage__Output, Event__Output, Profile__Output } from '@stackwatch/contract';
import { decodeProfile, topFunctions } from '@stackwatch/pprof';
import {
  startApp,
  startFaultFixtures,
  startIngestTestServer,
  waitFor,
  type AppProcess,
  type FixtureInstance,
  type IngestTestServer,
} from '@stackwatch/testing';

/**
 * The agent as users run it (bin/stackwatch-agent, one per process like a sidecar) against real
 * Go fault fixtures and a real gRPC ingest server: each fault yields its event on the right
 * instance, with captures whose top stacks name the culprit.
 *
 * Test settings shorten the time constants: 500 ms interval and a 6-sample window (events after
 * ≥ 3 s of history), 2 s flight-recorder windows, inspections every 2 s with a 4 s deadlock age.
 * Memory and goroutine minimums are lowered because this 24 GiB host dwarfs a 1 GiB allocation
 * (4 %) and the fixture leaks hundreds, not thousands, of goroutines.
 */
const FAULTS = ['cpu', 'memory', 'goroutines', 'deadlock', 'threads'] as const;
type Fault = (typeof FAULTS)[number];

const agentArgs = (aggregator: string, fixture: FixtureInstance, spoolDir: string, fault: Fault) => [
  '--aggregator', aggregator,
  '--target', fixture.url,
  '--instance', `faults-${fault}`,
  '--service', 'faultsvc',
  '--interval', '500ms',
  '--ring-size', '6',
  '--flight-recorder-window', '2s',
  '--inspect-every', '2s',
  '--deadlock-after', '4s',
  '--baseline-every', '0s',
  '--rule', 'memory.min=1',
  '--rule', 'goroutines.min=100',
  '--spool-dir', spoolDir,
  '--metrics-listen', '127.0.0.1:0',
];

function topNames(profile: Profile__Output, sampleType?: string, limit = 15): string[] {
  return topFunctions(decodeProfile(profile.pprof_gzip), { order: 'total', sampleType, limit }).map((f) => f.function);
}

describe('agent catches the five faults on real Go processes', () => {
  let server: IngestTestServer;
  const fixtures = new Map<Fault, FixtureInstance>();
  const agents = new Map<Fault, AppProcess>();
  const spool = mkdtempSync(join(tmpdir(), 'stackwatch-agent-faults-'));

  const stored = (): AgentMessage__Output[] => server.received;
  const events = (fault: Fault, kind: string): Event__Output[] =>
    stored().flatMap((m) => (m.event && m.event.target?.instance === `faults-${fault}` && m.event.kind === kind ? [m.event] : []));
  const profilesOf = (event: Event__Output): Profile__Output[] =>
    event.profile_ids.map((id) => stored().find((m) => m.profile?.id === id)!.profile!);
  const waitForEvent = async (fault: Fault, kind: string, timeoutMs: number) =>
    waitFor(`a ${kind} event from the ${fault} instance`, () => events(fault, kind)[0], { timeoutMs, intervalMs: 200 });

  beforeAll(async () => {
    server = await startIngestTestServer();
    const started = await startFaultFixtures({ count: FAULTS.length, backgroundRps: 10 });
    FAULTS.forEach((fault, i) => fixtures.set(fault, started[i]));
    await Promise.all(
      FAULTS.map(async (fault) => {
        const agent = await startApp('stackwatch-agent', agentArgs(server.address, fixtures.get(fault)!, join(spool, fault), fault), /metrics on (http:\/\/\S+)\/metrics/);
        agents.set(fault, agent);
      }),
    );
    // Every agent has a full window (6 samples) before any fault starts.
    await Promise.all(
      [...agents.values()].map((agent) =>
        waitFor('a full window of samples', async () => {
          const text = await (await fetch(`${agent.ready[1]}/metrics`)).text();
          return Number(/^stackwatch_samples_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0) >= 6;
        }, { timeoutMs: 30_000, intervalMs: 250 }),
      ),
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await Promise.all([...fixtures.values()].map((f) => f.stop()));
    await server?.stop();
    rmSync(spool, { recursive: true, force: true });
  });

  it('cpu: a spike fires the cpu rule and ships the flight-recorder windows naming the busy loop', async () => {
    await fixtures.get('cpu')!.get('/fault/cpu?seconds=6&workers=2');
    const event = await waitForEvent('cpu', 'cpu', 30_000);
    expect(event.value).toBeGreaterThanOrEqual(event.threshold);
    const profiles = profilesOf(event);
    expect(profiles.length).toBeGreaterThanOrEqual(1);
    expect(profiles.every((p) => p.type === 'cpu' && p.trigger?.rule?.event_id === event.id)).toBe(true);
    expect(profiles.flatMap((p) => topNames(p))).toContain('main.burnCPU');
  });

  it('memory: a 1 GiB allocation fires the memory rule with a heap profile naming the allocation site', async () => {
    const fixture = fixtures.get('memory')!;
    await fixture.get('/fault/alloc?mb=1024', 60_000);
    try {
      const event = await waitForEvent('memory', 'memory', 20_000);
      const [heap] = profilesOf(event);
      expect(heap.type).toBe('heap');
      expect(topNames(heap, 'inuse_space', 5)).toContain('main.allocateHugeSlice');
    } finally {
      await fixture.get('/fault/reset');
    }
  });

  it('goroutines: a growing leak fires the goroutines rule and a goroutine_leak finding naming the leaking pair', async () => {
    const fixture = fixtures.get('goroutines')!;
    for (let step = 0; step < 4; step++) {
      await fixture.get('/fault/leak?n=150');
      await new Promise((r) => setTimeout(r, 2_100)); // one inspection per step, so the growth spans dumps
    }
    const event = await waitForEvent('goroutines', 'goroutines', 20_000);
    const [profile] = profilesOf(event);
    expect(profile.type).toBe('goroutine');
    expect(topNames(profile, undefined, 10)).toEqual(expect.arrayContaining(['main.leakyConsumer', 'main.leakyProducer']));
    const leak = await waitForEvent('goroutines', 'goroutine_leak', 20_000);
    const functions = leak.findings.flatMap((f) => f.stacks.flatMap((s) => s.frames));
    expect(functions).toEqual(expect.arrayContaining(['main.leakyConsumer', 'main.leakyProducer']));
  });

  it('deadlock: inspections find both lock-order handlers stuck and ship a deadlock event', async () => {
    await fixtures.get('deadlock')!.get('/fault/deadlock');
    const event = await waitForEvent('deadlock', 'deadlock', 30_000);
    expect(event.findings[0].kind).toBe('deadlock');
    const functions = event.findings[0].stacks.flatMap((s) => s.frames);
    expect(functions).toEqual(expect.arrayContaining(['main.handleTransferAB', 'main.handleTransferBA']));
    expect(event.reason).toMatch(/main\.handleTransferAB/);
    const [profile] = profilesOf(event);
    expect(topNames(profile, undefined, 1000)).toEqual(expect.arrayContaining(['main.handleTransferAB', 'main.handleTransferBA']));
  });

  it('threads: threads blocked in cgo fire the threads rule with a thread_block finding naming the cgo call site', async () => {
    await fixtures.get('threads')!.get('/fault/cgo?n=30&seconds=120');
    const event = await waitForEvent('threads', 'threads', 20_000);
    expect(profilesOf(event).map((p) => p.type)).toEqual(['threadcreate', 'goroutine']);
    const finding = event.findings.find((f) => f.kind === 'thread_block')!;
    expect(finding.stacks[0].frames).toContain('main.blockInCgo');
    expect(topNames(profilesOf(event)[1], undefined, 10)).toContain('main.blockInCgo');
  });

  it('ships metrics and target status for every instance, and stops cleanly on SIGTERM', async () => {
    for (const fault of FAULTS) {
      const batches = stored().filter((m) => m.metrics?.target?.instance === `faults-${fault}`);
      const names = new Set(batches.flatMap((m) => m.metrics!.points.map((p) => p.name)));
      expect([...names]).toEqual(expect.arrayContaining(['cpu_percent', 'memory_percent', 'rss_bytes', 'goroutines', 'threads']));
    }
    // Each agent counts the rule it fired and the captures it took on its /metrics.
    const firedRule: Partial<Record<Fault, string>> = { cpu: 'cpu', memory: 'memory', goroutines: 'goroutines', threads: 'threads' };
    for (const [fault, rule] of Object.entries(firedRule)) {
      const text = await (await fetch(`${agents.get(fault as Fault)!.ready[1]}/metrics`)).text();
      expect(text).toMatch(new RegExp(`^stackwatch_rule_triggers_total\\{rule="${rule}"\\} [1-9]`, 'm'));
      expect(text).toMatch(/^stackwatch_captures_total\{type="\w+",outcome="ok"\} [1-9]/m);
    }
    const deadlockMetrics = await (await fetch(`${agents.get('deadlock')!.ready[1]}/metrics`)).text();
    expect(deadlockMetrics).toMatch(/^stackwatch_findings_total\{kind="deadlock"\} [1-9]/m);
    const agent = agents.get('cpu')!;
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.logs()).toContain('stopping: flushing captures in flight and the spool');
  });
});
