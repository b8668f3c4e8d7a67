import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statLine } from '../discover/__fixtures__/file-tree';
import { clockTicksPerSecond, parseProcStat, parseProcStatus, ProcParseError, readProcStat, readProcStatus } from './proc-stat';

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
  it('reads this process: stat and status agree on the thread count', async () => {
    const [stat, status] = await Promise.all([readProcStat(process.pid), readProcStatus(process.pid)]);
    expect(stat.startTimeTicks).toBeGreaterThan(0);
    expect(status.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(status.threads).toBeGreaterThanOrEqual(1);
    expect(Math.abs(stat.numThreads - (status.threads ?? 0))).toBeLessThanOrEqual(2);
  });

  it('knows CLK_TCK', () => {
    expect(clockTicksPerSecond()).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })));
  });
});
