import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statLine } from '../discover/__fixtures__/file-tree';
import { clockTicksPerSecond, parseProcStat, parseProcStatus, ProcFiles, ProcParseError, readProcStat } from './proc-stat';

// Captured from faultsvc fixtures built with each Go, after a 64 MiB allocation and some requests.
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

describe('parseProcStat', () => {
  it.each([
    ['go1.19', { utimeTicks: 1, stimeTicks: 9, numThreads: 8, startTimeTicks: 166802 }],
    ['go1.26', { utimeTicks: 1, stimeTicks: 4, numThreads: 7, startTimeTicks: 166803 }],
  ])('reads a real stat line of a %s process', (version, expected) => {
    expect(parseProcStat(fixture(`stat-${version}`))).toEqual(expected);
  });

  it('counts fields after the last ")" (a command name may hold spaces and parentheses)', () => {
    const line = statLine(7, 'evil) (name', { utime: 11, stime: 22, threads: 33, start: 44 });
    expect(parseProcStat(line)).toEqual({ utimeTicks: 11, stimeTicks: 22, numThreads: 33, startTimeTicks: 44 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow(ProcParseError);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow('/proc/<pid>/stat field 14 is undefined');
  });
});

describe('parseProcStatus', () => {
  it.each([
    ['go1.19', 76236 * 1024, 8],
    ['go1.26', 76420 * 1024, 7],
  ])('reads VmRSS (kB → bytes) and Threads of a real %s status', (version, rssBytes, threads) => {
    expect(parseProcStatus(fixture(`status-${version}`))).toEqual({ rssBytes, threads });
  });

  it('leaves out what a kernel thread or zombie does not have', () => {
    expect(parseProcStatus('Name:\tkthreadd\nThreads:\t1\n')).toEqual({ rssBytes: undefined, threads: 1 });
  });
});

describe('reading the real /proc', () => {
  it('reads this process: stat and status agree on the thread count', () => {
    const files = new ProcFiles();
    try {
      const { stat, status } = files.read(process.pid);
      expect(stat.startTimeTicks).toBeGreaterThan(0);
      expect(status.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(status.threads).toBeGreaterThanOrEqual(1);
      expect(Math.abs(stat.numThreads - (status.threads ?? 0))).toBeLessThanOrEqual(2);
    } finally {
      files.close();
    }
  });

  it('rereads kept descriptors: CPU time moves on, and the start time matches a fresh read', async () => {
    const files = new ProcFiles();
    try {
      const first = files.read(process.pid).stat;
      const until = Date.now() + 60;
      while (Date.now() < until); // burn CPU for > 1 clock tick
      const second = files.read(process.pid).stat;
      expect(second.utimeTicks + second.stimeTicks).toBeGreaterThan(first.utimeTicks + first.stimeTicks);
      expect(second.startTimeTicks).toBe((await readProcStat(process.pid)).startTimeTicks);
    } finally {
      files.close();
    }
  });

  it('fails with ESRCH once the process it kept descriptors for has exited', async () => {
    const child = spawn('sleep', ['30']);
    const files = new ProcFiles();
    try {
      expect(files.read(child.pid!).stat.startTimeTicks).toBeGreaterThan(0);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      let failure: unknown;
      try {
        files.read(child.pid!);
      } catch (err) {
        failure = err;
      }
      expect((failure as NodeJS.ErrnoException | undefined)?.code).toBe('ESRCH');
    } finally {
      files.close();
      child.kill();
    }
  });

  it('grows its buffer for a file larger than it', () => {
    const root = mkdtempSync(join(tmpdir(), 'proc-files-'));
    try {
      mkdirSync(join(root, '42'));
      writeFileSync(join(root, '42', 'stat'), '42 (x) S 1 ' + '0 '.repeat(30));
      writeFileSync(join(root, '42', 'status'), `Name:\tx\n${'Pad:\t0\n'.repeat(2000)}VmRSS:\t  2048 kB\nThreads:\t7\n`);
      const files = new ProcFiles(root);
      expect(files.read(42).status).toEqual({ rssBytes: 2048 * 1024, threads: 7 });
      files.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('knows CLK_TCK', () => {
    expect(clockTicksPerSecond()).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })));
  });
});
