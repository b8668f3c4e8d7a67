import { AGENT_SETTINGS, type FleetInstance } from './fleet';

/** The five production faults of the fixture, each with what must name it. */
export interface FaultCase {
  readonly name: 'cpu' | 'memory' | 'goroutines' | 'deadlock' | 'threads';
  /** Which of the fleet's three instances gets it (the others stay healthy). */
  readonly instance: 0 | 1 | 2;
  /** Event kind the agent raises. */
  readonly kind: string;
  /** Type of the event's profile that shows the culprit. */
  readonly profileType: 'cpu' | 'heap' | 'goroutine';
  /** Sample type of that profile the checks read. */
  readonly sampleType: string;
  /** The fixture's culprit functions: every one shows in the profile, one of them tops the diff. */
  readonly culprits: readonly string[];
  /**
   * Latest the event may fire after `trigger` resolved, from the agent's settings: a rule needs
   * the first sample past the fault (one interval, two when the CPU window straddles it); a
   * deadlock needs two inspections `deadlockAfter` apart, one interval each way.
   */
  readonly detectionBoundMs: number;
  /** Starts the fault; resolves once the fixture took it. */
  trigger(target: FleetInstance, abort: AbortSignal): Promise<void>;
}

/** Scheduling slack on a shared 2-core machine: agents, fixtures, aggregator and store compete. */
const SLACK_MS = 2_000;
const { intervalMs, inspectEveryMs, deadlockAfterMs } = AGENT_SETTINGS;

async function get(target: FleetInstance, path: string, timeoutMs = 10_000): Promise<void> {
  const { status, body } = await target.fixture.get(path, timeoutMs);
  if (status >= 300) throw new Error(`${target.name} ${path}: HTTP ${status} ${body.toString()}`);
}

/** Goroutines whose stack has `fn`, counted in a goroutine?debug=1 dump ("N @ pcs" then "#" frame lines per group). */
function goroutinesIn(dump: string, fn: string): number {
  return dump
    .split('\n\n')
    .filter((group) => group.includes(`\t${fn}+`))
    .reduce((n, group) => n + Number(/^(\d+) @/m.exec(group)?.[1] ?? 0), 0);
}

export const FAULTS: readonly FaultCase[] = [
  {
    name: 'cpu',
    instance: 0,
    kind: 'cpu',
    profileType: 'cpu',
    sampleType: 'cpu',
    culprits: ['main.burnCPU'],
    detectionBoundMs: 2 * intervalMs + SLACK_MS,
    trigger: (target) => get(target, '/fault/cpu?seconds=6&workers=2'),
  },
  {
    name: 'memory',
    instance: 1,
    kind: 'memory',
    profileType: 'heap',
    sampleType: 'inuse_space',
    culprits: ['main.allocateHugeSlice'],
    detectionBoundMs: 2 * intervalMs + SLACK_MS,
    // The handler answers once the 1 GiB is allocated and touched.
    trigger: (target) => get(target, '/fault/alloc?mb=1024', 60_000),
  },
  {
    name: 'goroutines',
    instance: 2,
    kind: 'goroutines',
    profileType: 'goroutine',
    sampleType: 'goroutine',
    culprits: ['main.leakyProducer', 'main.leakyConsumer'],
    detectionBoundMs: 2 * intervalMs + SLACK_MS,
    // 450 goroutines at once against a baseline of a few dozen.
    trigger: (target) => get(target, '/fault/leak?n=150'),
  },
  {
    name: 'deadlock',
    instance: 0,
    kind: 'deadlock',
    profileType: 'goroutine',
    sampleType: 'goroutine',
    culprits: ['main.handleTransferAB', 'main.handleTransferBA'],
    detectionBoundMs: deadlockAfterMs + 2 * inspectEveryMs + SLACK_MS,
    // Clients call both transfer endpoints, as users would: the first pair deadlocks on the two
    // locks taken in opposite order, and the later calls queue behind them.
    trigger: async (target, abort) => {
      for (let i = 0; i < 4; i++) {
        for (const path of ['/transfer/ab', '/transfer/ba']) {
          fetch(`${target.fixture.url}${path}`, { signal: abort }).catch(() => undefined);
        }
      }
      // Resolves once all eight handlers run: two stuck on their second lock, six on their first.
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const dump = (await target.fixture.get('/debug/pprof/goroutine?debug=1')).body.toString();
        if (goroutinesIn(dump, 'main.handleTransferAB') >= 4 && goroutinesIn(dump, 'main.handleTransferBA') >= 4) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${target.name}: the transfer handlers never blocked`);
    },
  },
  {
    name: 'threads',
    instance: 1,
    kind: 'threads',
    profileType: 'goroutine',
    sampleType: 'goroutine',
    culprits: ['main.blockInCgo'],
    detectionBoundMs: 2 * intervalMs + SLACK_MS,
    trigger: (target) => get(target, '/fault/cgo?n=30&seconds=300'),
  },
];
