/**
 * Threads held hostage: goroutines sitting in cgo calls or blocking syscalls each pin an OS thread,
 * so the runtime starts others to keep running Go code, and the thread count climbs. Grouped by the
 * Go function that made the call, which is what an engineer can change.
 */
import { isCgoGlue, isRuntimeFunction, isUserFunction, leafMostFrame } from './go-functions';
import type { Goroutine, GoroutineDump } from './goroutine-dump';
import { analysedStack, plural, type AnalysisFinding } from './finding';
import { isInCgo, isInCgoOrSyscall } from './group';

export interface ThreadBlockOptions {
  /** Goroutines in cgo/syscalls (all callers together) below which nothing is reported. Default 3. */
  readonly minGoroutines?: number;
  /** Threads the process has created (`threadcreate` profile total), quoted in the summary. */
  readonly threadsCreated?: number;
}

const DEFAULT_MIN_GOROUTINES = 3;

/** Every Go program has this one goroutine parked in `[syscall]`, waiting for signals. */
function isSignalLoop(g: Goroutine): boolean {
  return g.frames.includes('os/signal.signal_recv');
}

/** Frames that make the call rather than decide it: runtime, cgo glue, syscall wrappers. */
function isCallMachinery(fn: string): boolean {
  return isRuntimeFunction(fn) || isCgoGlue(fn) || /^(syscall\.|internal\/syscall\/|internal\/runtime\/syscall|golang\.org\/x\/sys\/unix\.)/.test(fn);
}

/** The service's own function nearest the leaf; else the nearest frame that is not call machinery. */
export function callingFunction(frames: readonly string[]): string {
  for (let i = frames.length - 1; i >= 0; i--) if (isUserFunction(frames[i])) return frames[i];
  return leafMostFrame(frames, isCallMachinery) ?? '?';
}

/**
 * A `thread_block` finding from a debug=2 dump when at least `minGoroutines` goroutines are in
 * cgo calls or syscalls (the signal loop excepted); undefined otherwise.
 */
export function findThreadBlocks(dump: GoroutineDump, options: ThreadBlockOptions = {}): AnalysisFinding | undefined {
  const minGoroutines = options.minGoroutines ?? DEFAULT_MIN_GOROUTINES;
  const blocked = dump.goroutines.filter((g) => isInCgoOrSyscall(g) && !isSignalLoop(g));
  if (blocked.length === 0 || blocked.length < minGoroutines) return undefined;

  const byCaller = new Map<string, Goroutine[]>();
  for (const g of blocked) {
    const caller = callingFunction(g.frames);
    byCaller.set(caller, [...(byCaller.get(caller) ?? []), g]);
  }
  const callers = [...byCaller.entries()].sort(([a, ga], [b, gb]) => gb.length - ga.length || a.localeCompare(b));
  // One stack per caller: the most common one among its goroutines stands for all.
  const stacks = callers.map(([, goroutines]) => analysedStack({ ...mostCommonStack(goroutines), count: goroutines.length }));
  const named = callers.map(([caller, goroutines]) => `${caller} (${goroutines.some(isInCgo) ? 'cgo' : 'syscall'}, ${goroutines.length})`);
  const threads = options.threadsCreated === undefined ? '' : ` (${plural(options.threadsCreated, 'thread')} created so far)`;
  return {
    kind: 'thread_block',
    summary: `${plural(blocked.length, 'goroutine')} hold OS threads in cgo calls or syscalls${threads}: ${named.join(', ')}`,
    stacks,
  };
}

function mostCommonStack(goroutines: readonly Goroutine[]): Goroutine {
  const counts = new Map<string, { goroutine: Goroutine; n: number }>();
  for (const g of goroutines) {
    const key = `${g.state}\n${g.frames.join('\n')}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { goroutine: g, n: 1 });
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0].goroutine;
}
