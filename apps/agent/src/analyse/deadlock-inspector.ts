/**
 * Lock deadlocks seen from outside: goroutines blocked acquiring a sync.Mutex / RWMutex that are
 * still blocked, at the same place, when inspected again much later. A contended lock makes its
 * waiters come and go within milliseconds; a lock cycle (A→B while B→A) keeps the same goroutines
 * on the same lines forever. Go's own `, N minutes` in a header proves the same on one dump.
 */
import { isRuntimeFunction, leafMostFrame } from './go-functions';
import type { Goroutine, GoroutineDump } from './goroutine-dump';
import { analysedStack, plural, type AnalysisFinding } from './finding';
import { groupGoroutines, isBlockedOnMutex } from './group';

export interface DeadlockInspectorOptions {
  /** How long a goroutine must be seen blocked at the same place. Default 30 s. */
  readonly minStuckMs?: number;
  /** Capture time of dumps inspected without one (ms since the epoch). Default `Date.now`. */
  readonly clock?: () => number;
}

interface Blocked {
  /** State and stack with lines: a goroutine that moved on and blocked again elsewhere starts over. */
  readonly place: string;
  readonly since: number;
}

const DEFAULT_MIN_STUCK_MS = 30_000;
/** Go prints `, N minutes` from one minute on. */
const MINUTE_MS = 60_000;
/** Distinct stuck sets remembered as already reported; oldest forgotten first. */
const REPORTED_SETS_KEPT = 64;

/** Fed debug=2 dumps of one target with their capture times; reports each distinct set of stuck lock waiters once. */
export class DeadlockInspector {
  private readonly minStuckMs: number;
  private readonly clock: () => number;
  private blocked = new Map<number, Blocked>();
  private readonly reported: string[] = [];

  constructor(options: DeadlockInspectorOptions = {}) {
    this.minStuckMs = options.minStuckMs ?? DEFAULT_MIN_STUCK_MS;
    this.clock = options.clock ?? Date.now;
    if (!(this.minStuckMs > 0)) throw new RangeError(`minStuckMs must be > 0, got ${this.minStuckMs}`);
  }

  /**
   * Returns a `deadlock` finding when goroutines have been blocked on a lock, at the same place,
   * since an inspection at least `minStuckMs` before `capturedAtMs` (or say so themselves with
   * `, N minutes`), unless this very set of goroutines was already reported.
   */
  inspect(dump: GoroutineDump, capturedAtMs: number = this.clock()): AnalysisFinding | undefined {
    const stuck: { goroutine: Goroutine; place: string; forMs: number }[] = [];
    const blocked = new Map<number, Blocked>();
    for (const goroutine of dump.goroutines.filter(isBlockedOnMutex)) {
      const place = placeOf(goroutine);
      const previous = this.blocked.get(goroutine.id);
      const since = previous && previous.place === place ? previous.since : capturedAtMs;
      blocked.set(goroutine.id, { place, since });
      const forMs = Math.max(capturedAtMs - since, goroutine.waitMinutes * MINUTE_MS);
      if (forMs >= this.minStuckMs) stuck.push({ goroutine, place, forMs });
    }
    if (dump.truncated) {
      // Goroutines missing from a cut dump may well still be blocked: keep tracking them.
      for (const [id, entry] of this.blocked) if (!blocked.has(id)) blocked.set(id, entry);
    }
    this.blocked = blocked;
    if (stuck.length === 0) return undefined;

    const signature = stuck.map((s) => `${s.goroutine.id}@${s.place}`).sort().join('\n\n');
    if (this.reported.includes(signature)) return undefined;
    this.reported.push(signature);
    if (this.reported.length > REPORTED_SETS_KEPT) this.reported.shift();
    return deadlockFinding(stuck.map((s) => s.goroutine), Math.min(...stuck.map((s) => s.forMs)));
  }
}

function placeOf(g: Goroutine): string {
  return [g.state, ...g.frames.map((fn, i) => `${fn} ${g.locations[i] ?? ''}`)].join('\n');
}

/** Runtime and lock internals say how a goroutine waits, not who: they are skipped to name it. */
function isLockMachinery(fn: string): boolean {
  return isRuntimeFunction(fn) || fn.startsWith('sync.') || fn.startsWith('internal/sync.');
}

function deadlockFinding(goroutines: Goroutine[], minStuckMs: number): AnalysisFinding {
  const groups = groupGoroutines(goroutines);
  const stacks = groups.map((g) => analysedStack(g));
  const named = groups.map((g) => `${leafMostFrame(g.frames, isLockMachinery) ?? '?'} (${g.state}, ${g.count})`);
  return {
    kind: 'deadlock',
    summary: `${plural(goroutines.length, 'goroutine')} stuck acquiring locks for at least ${duration(minStuckMs)}: ${named.join(', ')}`,
    stacks,
  };
}

function duration(ms: number): string {
  return ms >= MINUTE_MS ? plural(Math.floor(ms / MINUTE_MS), 'minute') : `${Math.floor(ms / 1000)} s`;
}
