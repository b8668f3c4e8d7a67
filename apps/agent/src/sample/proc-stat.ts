import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fields of /proc/<pid>/stat the sampler uses. */
export interface ProcStat {
  /** User CPU time, clock ticks (field 14). */
  readonly utimeTicks: number;
  /** System CPU time, clock ticks (field 15). */
  readonly stimeTicks: number;
  /** Field 20. */
  readonly numThreads: number;
  /** Start time after boot, clock ticks (field 22): with the pid, it names one process instance. */
  readonly startTimeTicks: number;
}

/** The fields of /proc/<pid>/status the sampler uses; absent for zombies and kernel threads. */
export interface ProcStatus {
  readonly rssBytes: number | undefined;
  readonly threads: number | undefined;
}

export class ProcParseError extends Error {
  override name = 'ProcParseError';
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain
 * spaces and ")", so fields are counted from after the last ")": that is field 3.
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new ProcParseError(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 60))}`);
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const field = (n: number): number => {
    const value = Number(rest[n - 3]);
    if (!Number.isSafeInteger(value) || value < 0) throw new ProcParseError(`/proc/<pid>/stat field ${n} is ${JSON.stringify(rest[n - 3])}`);
    return value;
  };
  return { utimeTicks: field(14), stimeTicks: field(15), numThreads: field(20), startTimeTicks: field(22) };
}

export function parseProcStatus(text: string): ProcStatus {
  const rss = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  const threads = /^Threads:\s+(\d+)$/m.exec(text);
  return {
    rssBytes: rss ? Number(rss[1]) * 1024 : undefined,
    threads: threads ? Number(threads[1]) : undefined,
  };
}

/**
 * Reading stat and status needs no ptrace access, only a shared pid namespace. They are read
 * synchronously: /proc files are generated in memory and a sync read takes microseconds, while
 * the promise API costs an open/fstat/read/close round trip through the thread pool each time,
 * for every target, every interval.
 */
export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat> {
  return Promise.resolve(parseProcStat(readFileSync(join(procRoot, String(pid), 'stat'), 'utf8')));
}

export async function readProcStatus(pid: number, procRoot = '/proc'): Promise<ProcStatus> {
  return Promise.resolve(parseProcStatus(readFileSync(join(procRoot, String(pid), 'status'), 'utf8')));
}

const DEFAULT_CLK_TCK = 100;
let clockTicks: number | undefined;

/** CLK_TCK, the unit of the stat times: asked of `getconf` once, else Linux's usual 100. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2_000 }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : DEFAULT_CLK_TCK;
    } catch {
      clockTicks = DEFAULT_CLK_TCK;
    }
  }
  return clockTicks;
}
