/**
 * Goroutine leaks seen from outside: stacks blocked on channel operations whose goroutine count
 * keeps growing from one dump to the next. A leak only ever adds goroutines that never leave, so
 * steady growth of one parked stack is its signature; a pool that grows and shrinks with load,
 * or one burst, is not.
 */
import { culpritFrame, withoutRuntimeFrames } from './go-functions';
import type { GoroutineDump, GoroutineProfile } from './goroutine-dump';
import { analysedStack, plural, type AnalysisFinding } from './finding';
import { groupGoroutines, groupProfile, isBlockedOnChannel, stackKey, type StackGroup } from './group';

export interface GoroutineLeakDetectorOptions {
  /** Dumps the growth must span, each strictly above the one before (at least 3: two points are noise). Default 3. */
  readonly window?: number;
  /** Goroutines a stack must have gained over the window. Default 20. */
  readonly minGrowth?: number;
}

interface StackSample {
  readonly count: number;
  readonly state: string;
  readonly frames: readonly string[];
}

/** Known from debug=2 dumps, and kept for the debug=1 dumps that cannot say it. */
interface StackDetails {
  readonly state: string;
  readonly createdBy?: string;
}

const DEFAULT_WINDOW = 3;
const DEFAULT_MIN_GROWTH = 20;

/** Fed successive goroutine dumps of one target; reports the channel-blocked stacks that keep growing. */
export class GoroutineLeakDetector {
  private readonly window: number;
  private readonly minGrowth: number;
  /** The last `window` observations: channel-blocked stack key → sample. */
  private readonly history: Map<string, StackSample>[] = [];
  private readonly details = new Map<string, StackDetails>();
  /** Count of each stack when last reported: a stack is reported again only after growing on. */
  private readonly reportedAt = new Map<string, number>();

  constructor(options: GoroutineLeakDetectorOptions = {}) {
    this.window = options.window ?? DEFAULT_WINDOW;
    this.minGrowth = options.minGrowth ?? DEFAULT_MIN_GROWTH;
    if (!Number.isInteger(this.window) || this.window < 3) throw new RangeError(`window must be an integer ≥ 3, got ${this.window}`);
    if (!(this.minGrowth >= 1)) throw new RangeError(`minGrowth must be ≥ 1, got ${this.minGrowth}`);
  }

  /**
   * Records one dump (debug=1 profile or debug=2 dump) and returns a `goroutine_leak` finding when
   * some channel-blocked stack grew at every one of the last `window` dumps, by `minGrowth` in all.
   */
  observe(dump: GoroutineProfile | GoroutineDump): AnalysisFinding | undefined {
    const groups = 'groups' in dump ? groupProfile(dump) : groupGoroutines(dump.goroutines);
    this.remember(groups);
    return this.findGrowth();
  }

  private remember(groups: readonly StackGroup[]): void {
    const samples = new Map<string, StackSample>();
    const detailed = new Set<string>();
    for (const group of groups.filter(isBlockedOnChannel)) {
      // Keyed without the state: debug=1 can only infer "a channel wait", debug=2 says which.
      const key = stackKey(group.frames);
      const previous = samples.get(key);
      // Groups come largest first: the first one seen gives the state.
      samples.set(key, {
        count: (previous?.count ?? 0) + group.count,
        state: previous?.state ?? group.state,
        frames: previous?.frames ?? withoutRuntimeFrames(group.frames),
      });
      if (!group.stateInferred && !detailed.has(key)) {
        detailed.add(key);
        this.details.set(key, { state: group.state, ...(group.createdBy ? { createdBy: group.createdBy } : {}) });
      }
    }
    this.history.push(samples);
    if (this.history.length > this.window) this.history.shift();
    this.forgetStacksGone(samples);
  }

  /** Keeps memory bounded by the stacks of the current window. */
  private forgetStacksGone(latest: Map<string, StackSample>): void {
    for (const key of [...this.details.keys()]) {
      if (!this.history.some((h) => h.has(key))) this.details.delete(key);
    }
    for (const key of [...this.reportedAt.keys()]) {
      if (!latest.has(key)) this.reportedAt.delete(key);
    }
  }

  private findGrowth(): AnalysisFinding | undefined {
    if (this.history.length < this.window) return undefined;
    const latest = this.history[this.history.length - 1];
    const growing: { key: string; sample: StackSample; series: number[] }[] = [];
    for (const [key, sample] of latest) {
      const series = this.history.map((h) => h.get(key)?.count ?? 0);
      const strictlyRising = series.every((n, i) => i === 0 || n > series[i - 1]);
      const grown = series[series.length - 1] - series[0];
      const newSinceReport = sample.count - (this.reportedAt.get(key) ?? 0) >= this.minGrowth;
      if (strictlyRising && grown >= this.minGrowth && newSinceReport) growing.push({ key, sample, series });
    }
    if (growing.length === 0) return undefined;

    const growth = (s: number[]): number => s[s.length - 1] - s[0];
    growing.sort((a, b) => growth(b.series) - growth(a.series) || a.key.localeCompare(b.key));
    for (const { key, sample } of growing) this.reportedAt.set(key, sample.count);

    const stacks = growing.map(({ key, sample }) => {
      const details = this.details.get(key);
      return analysedStack({ ...sample, state: details?.state ?? sample.state, ...(details?.createdBy ? { createdBy: details.createdBy } : {}) });
    });
    const total = growing.reduce((sum, g) => sum + growth(g.series), 0);
    const named = growing.map(
      ({ series }, i) => `${culpritFrame(stacks[i].frames) ?? '?'} (${stacks[i].state}, ${series.join('→')})`,
    );
    return {
      kind: 'goroutine_leak',
      summary:
        `${plural(growing.length, 'stack')} grew by ${plural(total, 'goroutine')} blocked on channels ` +
        `over the last ${this.window} dumps: ${named.join(', ')}`,
      stacks,
    };
  }
}
