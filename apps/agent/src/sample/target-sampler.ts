import type { SampleMetric, TargetSample, WatchedTarget } from '../target';
import { KeepAliveGet } from '../keep-alive-get';
import { fetchText, MAX_TEXT_BYTES } from './fetch-text';
import { hostResources, readEffectiveLimits, type EffectiveLimits, type HostResources } from './limits';
import { gcHeapPercent, nextGcUrl, readNextGc, type NextGcSource } from './memstats';
import { parsePprofIndex, PprofIndexError, type PprofIndex } from './pprof-index';
import { clockTicksPerSecond, ProcFiles, type ProcReader, type ProcStat, type ProcStatus } from './proc-stat';
import { TargetUnavailableError } from './target-unavailable-error';

export { TargetUnavailableError } from './target-unavailable-error';

export interface TargetSamplerOptions {
  /** The sampling interval: it also bounds every HTTP request of one sample. */
  readonly intervalMs: number;
  /** Read NextGC (only when the gc_heap rule is enabled: heap?debug=1 is not free). */
  readonly gcHeap?: boolean;
  /**
   * NextGC changes only when a GC cycle ends, so it is read at most this often (default 5 s);
   * samples in between carry no gc_heap_percent, and the rule's window holds fresh readings only.
   */
  readonly gcHeapEveryMs?: number;
  /** --metrics-url: read go_memstats_next_gc_bytes there instead of heap?debug=1. */
  readonly metricsUrl?: URL;
  /** Finds the pid serving the target now (after a restart the old pid is gone). */
  readonly resolvePid?: () => Promise<number | undefined>;
  /** Notices, each said once per change: /proc access lost or regained, NextGC unavailable. */
  readonly log?: (line: string) => void;
  readonly procRoot?: string;
  /** How stat and status are read; default: kept descriptors under procRoot (ProcFiles). */
  readonly procReader?: ProcReader;
  readonly sysRoot?: string;
  readonly host?: HostResources;
  /** Cgroup limits are re-read this often (they change rarely: in-place resize); default 30 s. */
  readonly limitsMaxAgeMs?: number;
  /** Clock ticks per second of /proc/<pid>/stat; default from getconf CLK_TCK. */
  readonly clockTicks?: number;
  readonly clock?: { now(): number; monotonicMs(): number };
}

/** The CPU reading of the previous sample: the base of the next delta. */
interface Baseline {
  readonly pid: number;
  readonly startTimeTicks: number;
  readonly cpuTicks: number;
  readonly atMs: number;
}

type ProcReading =
  | { readonly ok: true; readonly pid: number; readonly stat: ProcStat; readonly status: ProcStatus; readonly atMs: number }
  | { readonly ok: false; readonly pid: number | undefined; readonly reason: string };

const realClock = { now: () => Date.now(), monotonicMs: () => performance.now() };
const DEFAULT_GC_HEAP_EVERY_MS = 5_000;
/** Shortest window a cpu_percent is computed over: ≤ 4 % error from the 10 ms tick. */
const MIN_CPU_WINDOW_MS = 250;
/** When the pid is unknown, look for it again at most this often (it scans every /proc/<pid>/fd). */
const RESOLVE_RETRY_MS = 30_000;

const isGone = (err: unknown) => ['ENOENT', 'ESRCH'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * Cheap readings of one target every interval: CPU, memory and threads from /proc, goroutines from
 * the pprof index page (never a goroutine dump), and optionally the GC heap ratio. Without /proc
 * access it still reports what pprof tells. sample() rejects only with TargetUnavailableError.
 */
export class TargetSampler {
  private pid: number | undefined;
  private baseline: Baseline | undefined;
  private limits: { readonly value: EffectiveLimits; readonly pid: number | undefined; readonly atMs: number } | undefined;
  private lastResolveAtMs = -Infinity;
  private lastNextGcReadMs = -Infinity;
  private procProblem: string | undefined;
  private gcHeapProblem: string | undefined;
  private readonly clock: { now(): number; monotonicMs(): number };
  private readonly procFiles: ProcReader;
  private readonly indexUrl: URL;
  /** The index page is asked for every interval: over one kept connection when plain HTTP. */
  private readonly indexGet: KeepAliveGet | undefined;
  private readonly nextGc: { readonly source: NextGcSource; readonly via: KeepAliveGet | undefined } | undefined;

  constructor(
    readonly target: WatchedTarget,
    private readonly options: TargetSamplerOptions,
  ) {
    this.pid = target.pid;
    this.clock = options.clock ?? realClock;
    this.procFiles = options.procReader ?? new ProcFiles(options.procRoot);
    this.indexUrl = new URL('debug/pprof/', target.url);
    this.indexGet = KeepAliveGet.forPlainHttp(this.indexUrl, { maxBytes: MAX_TEXT_BYTES });
    if (options.gcHeap) {
      const source: NextGcSource = options.metricsUrl ? { kind: 'metrics', url: options.metricsUrl } : { kind: 'heap', base: target.url };
      this.nextGc = { source, via: KeepAliveGet.forPlainHttp(nextGcUrl(source), { maxBytes: MAX_TEXT_BYTES }) };
    }
  }

  /** Releases the kept connection and /proc descriptors; sample() reopens them if called again. */
  close(): void {
    this.indexGet?.close();
    this.nextGc?.via?.close();
    this.procFiles.close();
  }

  /** The pid sampled last (it changes when resolvePid finds a new owner). */
  get currentPid(): number | undefined {
    return this.pid;
  }

  /** Why /proc cannot be read, once a sample found out; undefined while it can. */
  get noProcAccessReason(): string | undefined {
    return this.procProblem;
  }

  async sample(): Promise<TargetSample> {
    const timeoutMs = this.options.intervalMs;
    const [index, proc, nextGc] = await Promise.all([this.readIndex(timeoutMs), this.readProc(), this.readNextGc(timeoutMs)]);
    const timeMs = this.clock.now();
    const values: Partial<Record<SampleMetric, number>> = {};
    const goroutines = index.counts.get('goroutine');
    if (goroutines !== undefined) values.goroutines = goroutines;

    let restarted = false;
    if (proc.ok) {
      const cpuTicks = proc.stat.utimeTicks + proc.stat.stimeTicks;
      const previous = this.baseline;
      // Another pid, another start time, or CPU time going backwards: not the process we measured.
      restarted =
        previous !== undefined &&
        (previous.pid !== proc.pid || previous.startTimeTicks !== proc.stat.startTimeTicks || cpuTicks < previous.cpuTicks);
      // CPU time moves in clock ticks (10 ms): over a window much shorter than MIN_CPU_WINDOW_MS
      // one tick more or less would read as a huge swing, so such a sample reports no cpu_percent
      // and keeps the older base, making the next window long enough.
      const tooSoon = previous !== undefined && !restarted && proc.atMs - previous.atMs < MIN_CPU_WINDOW_MS;
      if (previous && !restarted && !tooSoon) {
        const cpuSeconds = (cpuTicks - previous.cpuTicks) / (this.options.clockTicks ?? clockTicksPerSecond());
        const limits = await this.limitsFor(proc.pid);
        values.cpu_percent = (cpuSeconds / ((proc.atMs - previous.atMs) / 1000) / limits.cpuCores) * 100;
      }
      if (!tooSoon) this.baseline = { pid: proc.pid, startTimeTicks: proc.stat.startTimeTicks, cpuTicks, atMs: proc.atMs };
      values.threads = proc.status.threads ?? proc.stat.numThreads;
      if (proc.status.rssBytes !== undefined) {
        values.rss_bytes = proc.status.rssBytes;
        values.memory_percent = (proc.status.rssBytes / (await this.limitsFor(proc.pid)).memoryBytes) * 100;
      }
    }
    if (nextGc !== undefined) {
      // Without /proc the target's cgroup is unknown: the host's memory is the only bound left.
      const limits = await this.limitsFor(proc.ok ? proc.pid : undefined);
      values.gc_heap_percent = gcHeapPercent(nextGc, limits.memoryBytes);
    }
    this.noteProcAccess(proc);
    return { timeMs, pid: proc.pid, procAccess: proc.ok, restarted, values };
  }

  private async readIndex(timeoutMs: number): Promise<PprofIndex> {
    const text = await fetchText(this.indexUrl, timeoutMs, this.target.key, this.indexGet);
    try {
      return parsePprofIndex(text);
    } catch (err) {
      if (err instanceof PprofIndexError) throw new TargetUnavailableError(this.target.key, `not a pprof index: ${err.message}`);
      throw err;
    }
  }

  /** Never rejects: a missing NextGC only leaves gc_heap_percent out (said once per outage). */
  private async readNextGc(timeoutMs: number): Promise<number | undefined> {
    if (!this.nextGc) return undefined;
    const now = this.clock.monotonicMs();
    if (now - this.lastNextGcReadMs < (this.options.gcHeapEveryMs ?? DEFAULT_GC_HEAP_EVERY_MS)) return undefined;
    this.lastNextGcReadMs = now;
    try {
      const value = await readNextGc(this.nextGc.source, timeoutMs, this.target.key, this.nextGc.via);
      if (this.gcHeapProblem !== undefined) this.log(`target ${this.target.key}: NextGC readable again`);
      this.gcHeapProblem = undefined;
      return value;
    } catch (err) {
      const reason = (err as Error).message;
      if (this.gcHeapProblem === undefined) this.log(`target ${this.target.key}: no gc_heap_percent: ${reason}`);
      this.gcHeapProblem = reason;
      return undefined;
    }
  }

  /** Never rejects. Finds the process again when its pid has gone (or was never known). */
  private async readProc(): Promise<ProcReading> {
    if (this.pid === undefined) {
      const pid = await this.resolve(false);
      if (pid === undefined) return { ok: false, pid: undefined, reason: 'its pid is unknown (another pid namespace, or not local)' };
      this.pid = pid;
    }
    for (let attempt = 0; ; attempt++) {
      const pid: number = this.pid;
      try {
        const { stat, status } = this.procFiles.read(pid);
        return { ok: true, pid, stat, status, atMs: this.clock.monotonicMs() };
      } catch (err) {
        if (attempt === 0 && isGone(err)) {
          const next = await this.resolve(true);
          if (next !== undefined && next !== pid) {
            this.pid = next;
            continue;
          }
        }
        const reason = isGone(err) ? `pid ${pid} has exited` : `cannot read /proc/${pid}: ${(err as Error).message}`;
        return { ok: false, pid, reason };
      }
    }
  }

  private async resolve(urgent: boolean): Promise<number | undefined> {
    const resolvePid = this.options.resolvePid;
    if (!resolvePid) return undefined;
    const now = this.clock.monotonicMs();
    if (!urgent && now - this.lastResolveAtMs < RESOLVE_RETRY_MS) return undefined;
    this.lastResolveAtMs = now;
    return resolvePid().catch(() => undefined);
  }

  private async limitsFor(pid: number | undefined): Promise<EffectiveLimits> {
    const now = this.clock.monotonicMs();
    const cached = this.limits;
    if (cached && cached.pid === pid && now - cached.atMs < (this.options.limitsMaxAgeMs ?? 30_000)) return cached.value;
    const value = await readEffectiveLimits(pid, { procRoot: this.options.procRoot, sysRoot: this.options.sysRoot }, this.options.host ?? hostResources());
    this.limits = { value, pid, atMs: now };
    return value;
  }

  private noteProcAccess(proc: ProcReading): void {
    const problem = proc.ok ? undefined : proc.reason;
    if (problem !== undefined && this.procProblem === undefined) {
      this.log(`target ${this.target.key}: no /proc access (${problem}): pprof-only readings`);
    } else if (problem === undefined && this.procProblem !== undefined) {
      this.log(`target ${this.target.key}: /proc readable again (pid ${proc.pid})`);
    }
    this.procProblem = problem;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
