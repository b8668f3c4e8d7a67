// The analysis stage against real goroutine dumps: the fault fixture, built with every supported Go,
// leaks goroutines, deadlocks two handlers and parks goroutines in C on request; each analysis must
// name the culprit functions, and a healthy busy service must produce no finding at all.
//
// STACKWATCH_SAVE_DUMPS=1 also writes the dumps it analyses to apps/agent/src/analyse/__fixtures__/
// (`<go>-<scenario>-debug<N>.txt`), which the unit specs read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  buildFaultFixture,
  goToolchains,
  startFaultFixtures,
  stopAll,
  waitFor,
  type FixtureInstance,
  type GoToolchain,
} from '@stackwatch/testing';

import {
  DeadlockInspector,
  findThreadBlocks,
  GoroutineLeakDetector,
  groupProfile,
  isBlockedOnMutex,
  parseGoroutineDumpDebug2,
  parseGoroutineProfileDebug1,
  type AnalysisFinding,
  type GoroutineDump,
  type GoroutineProfile,
} from '../../../apps/agent/src/analyse';

const SAVE_DUMPS = process.env.STACKWATCH_SAVE_DUMPS === '1';
const FIXTURES_DIR = join(__dirname, '../../../apps/agent/src/analyse/__fixtures__');
const LEAK_PAIRS = 50;
const CGO_CALLS = 10;

class DumpTaker {
  constructor(
    private readonly instance: FixtureInstance,
    private readonly toolchain: GoToolchain,
  ) {}

  async debug1(scenario?: string): Promise<GoroutineProfile> {
    return parseGoroutineProfileDebug1(await this.fetch(1, scenario));
  }

  async debug2(scenario?: string): Promise<GoroutineDump> {
    return parseGoroutineDumpDebug2(await this.fetch(2, scenario));
  }

  private async fetch(debug: 1 | 2, scenario: string | undefined): Promise<string> {
    const res = await this.instance.get(`/debug/pprof/goroutine?debug=${debug}`);
    const text = res.body.toString('utf8');
    if (res.status !== 200) throw new Error(`goroutine?debug=${debug}: HTTP ${res.status}: ${text}`);
    if (SAVE_DUMPS && scenario) {
      mkdirSync(FIXTURES_DIR, { recursive: true });
      writeFileSync(join(FIXTURES_DIR, `${this.toolchain.label}-${scenario}-debug${debug}.txt`), text);
    }
    return text;
  }
}

async function expectAccepted(instance: FixtureInstance, path: string): Promise<void> {
  const res = await instance.get(path);
  expect({ path, status: res.status }).toEqual({ path, status: 202 });
}

/** Goroutines on stacks whose leaf-most frame is `fn`, from a debug=1 profile. */
function countOn(profile: GoroutineProfile, fn: string): number {
  return groupProfile(profile)
    .filter((g) => g.frames[g.frames.length - 1] === fn)
    .reduce((sum, g) => sum + g.count, 0);
}

function stackFor(finding: AnalysisFinding, fn: string) {
  return finding.stacks.find((s) => s.frames.includes(fn));
}

describe.each(goToolchains().map((t) => [t.label, t] as const))('analysis of %s goroutine dumps', (_label, toolchain) => {
  let leaky: FixtureInstance;
  let locked: FixtureInstance;
  let cgo: FixtureInstance;
  let busy: FixtureInstance;

  beforeAll(async () => {
    await buildFaultFixture(toolchain); // cold builds take a while; later runs reuse the binary
    const [quiet, healthy] = await Promise.all([
      startFaultFixtures({ count: 3, toolchain, service: 'analyse-quiet' }),
      startFaultFixtures({ count: 1, toolchain, service: 'analyse-busy', backgroundRps: 50 }),
    ]);
    [leaky, locked, cgo] = quiet;
    busy = healthy[0];
  }, 300_000);

  afterAll(async () => {
    await stopAll([leaky, locked, cgo, busy].filter((i) => i !== undefined));
  }, 30_000);

  test('a healthy busy service yields no finding', async () => {
    const dumps = new DumpTaker(busy, toolchain);
    // Dumps for a few seconds of traffic, taken as the requests come (a window, not a fixed sleep).
    const started = Date.now();
    const profiles: GoroutineProfile[] = [];
    await waitFor(
      'background traffic to run for 3 s',
      async () => {
        const profile = await dumps.debug1('healthy');
        profiles.push(profile);
        return Date.now() - started >= 3_000 && profile.groups.some((g) => g.frames.includes('main.backgroundTraffic'));
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    const leaks = new GoroutineLeakDetector();
    expect(profiles.map((p) => leaks.observe(p)).filter(Boolean)).toEqual([]);

    const inspector = new DeadlockInspector();
    const t0 = Date.now();
    const first = await dumps.debug2();
    const second = await dumps.debug2('healthy');
    expect(inspector.inspect(first, t0)).toBeUndefined();
    expect(inspector.inspect(second, t0 + 30_000)).toBeUndefined();
    expect(findThreadBlocks(second)).toBeUndefined();
  }, 30_000);

  test('two leaks in a row are reported as growing channel-blocked stacks, with their creator', async () => {
    const dumps = new DumpTaker(leaky, toolchain);
    const fromDebug1 = new GoroutineLeakDetector();
    const fromDebug2 = new GoroutineLeakDetector();
    const observe = async (scenario: string): Promise<(AnalysisFinding | undefined)[]> => [
      fromDebug1.observe(await dumps.debug1(scenario)),
      fromDebug2.observe(await dumps.debug2(scenario)),
    ];

    expect(await observe('leak0')).toEqual([undefined, undefined]);
    let findings: (AnalysisFinding | undefined)[] = [];
    for (const round of [1, 2]) {
      await expectAccepted(leaky, `/fault/leak?n=${LEAK_PAIRS}`);
      const expected = round * LEAK_PAIRS;
      await waitFor(`${expected} goroutines parked in each leaky function`, async () => {
        const profile = await dumps.debug1();
        return countOn(profile, 'main.leakyConsumer') === expected && countOn(profile, 'main.leakyProducer') === expected;
      });
      findings = await observe(`leak${round}`);
    }

    const [byProfile, byDump] = findings;
    for (const finding of [byProfile, byDump]) {
      expect(finding?.kind).toBe('goroutine_leak');
      expect(finding?.stacks).toHaveLength(2);
      expect(finding?.summary).toMatch(/^2 stacks grew by 200 goroutines blocked on channels/);
      expect(finding?.summary).toContain('main.leakyConsumer');
      expect(finding?.summary).toContain('main.leakyProducer');
      for (const fn of ['main.leakyConsumer', 'main.leakyProducer']) {
        expect(stackFor(finding!, fn)?.count).toBe(2 * LEAK_PAIRS);
      }
    }
    // debug=2 says exactly how each waits and who started it.
    expect(stackFor(byDump!, 'main.leakyConsumer')).toMatchObject({ state: 'chan receive', created_by: 'main.handleLeak' });
    expect(stackFor(byDump!, 'main.leakyProducer')).toMatchObject({ state: 'chan send', created_by: 'main.handleLeak' });
  }, 30_000);

  test('the lock-order deadlock is reported once, after 30 s of inspections and not before', async () => {
    const dumps = new DumpTaker(locked, toolchain);
    await expectAccepted(locked, '/fault/deadlock');
    const handlers = ['main.handleTransferAB', 'main.handleTransferBA'];
    const stuckHandlers = (dump: GoroutineDump): string[] =>
      handlers.filter((fn) => dump.goroutines.some((g) => isBlockedOnMutex(g) && g.frames.includes(fn)));
    await waitFor('both transfer handlers blocked on a mutex', async () => stuckHandlers(await dumps.debug2()).length === 2);

    // Real dumps, stamped with an injected clock: no waiting for 30 real seconds.
    let now = Date.now();
    const inspector = new DeadlockInspector({ clock: () => now });
    expect(inspector.inspect(await dumps.debug2())).toBeUndefined();
    now += 29_000;
    expect(inspector.inspect(await dumps.debug2())).toBeUndefined();
    now += 1_000;
    const finding = inspector.inspect(await dumps.debug2('deadlock'));
    await dumps.debug1('deadlock');
    expect(finding?.kind).toBe('deadlock');
    expect(finding?.summary).toMatch(/^2 goroutines stuck acquiring locks for at least 30 s: /);
    for (const fn of handlers) {
      expect(finding?.summary).toContain(fn);
      expect(stackFor(finding!, fn)).toMatchObject({
        count: 1,
        state: toolchain.label === 'go1.19' ? 'semacquire' : 'sync.Mutex.Lock',
      });
    }
    now += 30_000;
    expect(inspector.inspect(await dumps.debug2())).toBeUndefined();
  }, 30_000);

  test('goroutines parked in C are reported as thread blocks in main.blockInCgo', async () => {
    const dumps = new DumpTaker(cgo, toolchain);
    await expectAccepted(cgo, `/fault/cgo?n=${CGO_CALLS}&seconds=120`);
    const dump = await waitFor('every cgo call parked in C', async () => {
      const d = await dumps.debug2();
      const inC = d.goroutines.filter((g) => g.state === 'syscall' && g.frames.includes('main.blockInCgo'));
      return inC.length === CGO_CALLS && d;
    });
    await dumps.debug2('cgo');
    await dumps.debug1('cgo');
    const threadcreate = await cgo.get('/debug/pprof/threadcreate?debug=1');
    const threadsCreated = parseGoroutineProfileDebug1(threadcreate.body.toString('utf8')).total;
    expect(threadsCreated).toBeGreaterThanOrEqual(CGO_CALLS);

    const finding = findThreadBlocks(dump, { threadsCreated });
    expect(finding?.kind).toBe('thread_block');
    expect(finding?.summary).toMatch(new RegExp(`^${CGO_CALLS} goroutines hold OS threads .*: main\\.blockInCgo \\(cgo, ${CGO_CALLS}\\)$`));
    expect(finding?.stacks).toEqual([expect.objectContaining({ count: CGO_CALLS, state: 'syscall', created_by: 'main.handleCgo' })]);
    expect(finding?.stacks[0].frames).toContain('main.blockInCgo');
  }, 30_000);
});
