import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
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

/** One read of /proc/<pid>/stat (discovery); it needs no ptrace access, only a shared pid namespace. */
export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat> {
  return Promise.resolve(parseProcStat(readFileSync(join(procRoot, String(pid), 'stat'), 'utf8')));
}

/** Reads /proc/<pid>/stat and status of one process, again and again. */
export interface ProcReader {
  read(pid: number): { stat: ProcStat; status: ProcStatus };
  close(): void;
}

/**
 * /proc/<pid>/stat and status of one process, read every interval (synchronously: /proc files are
 * generated in memory, and the promise API would cost a thread-pool round trip per file) through descriptors kept open:
 * a positional read at offset 0 regenerates the file, which saves an open and a close per read
 * (a tenth of the sampling floor in bench/agent-floor). A descriptor stays bound to the process it
 * was opened for: once that process exits, reads fail with ESRCH even if its pid is reused.
 */
export class ProcFiles implements ProcReader {
  private opened: { readonly pid: number; readonly stat: number; readonly status: number } | undefined;
  private buffer = Buffer.allocUnsafe(4096);

  constructor(private readonly procRoot = '/proc') {}

  /** Throws the fs error (ENOENT, ESRCH, EACCES) or a ProcParseError. */
  read(pid: number): { stat: ProcStat; status: ProcStatus } {
    try {
      const files = this.openFor(pid);
      return { stat: parseProcStat(this.readWhole(files.stat)), status: parseProcStatus(this.readWhole(files.status)) };
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) for (const fd of [opened.stat, opened.status]) closeSync(fd);
  }

  private openFor(pid: number): { stat: number; status: number } {
    if (this.opened?.pid === pid) return this.opened;
    this.close();
    const stat = openSync(join(this.procRoot, String(pid), 'stat'), 'r');
    try {
      this.opened = { pid, stat, status: openSync(join(this.procRoot, String(pid), 'status'), 'r') };
    } catch (err) {
      closeSync(stat);
      throw err;
    }
    return this.opened;
  }

  private readWhole(fd: number): string {
    let length = readSync(fd, this.buffer, 0, this.buffer.length, 0);
    // A read that fills the buffer may have been cut: read again with room to spare.
    while (length === this.buffer.length) {
      this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
      length = readSync(fd, this.buffer, 0, this.buffer.length, 0);
    }
    return this.buffer.toString('latin1', 0, length);
  }
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
