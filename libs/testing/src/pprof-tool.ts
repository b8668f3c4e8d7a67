import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { systemGo, type GoToolchain } from './go-toolchain';

/*
 * `go tool pprof`, the reference our pprof library is checked against, and parsers for the
 * three text outputs the conformance tests read:
 *   -top     per-function flat and cum, and the total;
 *   -traces  every sample's stack as pprof itself expands it (inlined frames included), leaf first;
 *   -raw     the profile as parsed: header, exact values of every sample type, location table.
 * Values are printed exactly only with a -unit that keeps the sample's own unit (see
 * exactUnitFlag); the parsers refuse anything but an integer so an inexact flag fails loudly.
 */

/** The `-unit` under which go tool pprof prints a sample unit's values as exact integers. */
export function exactUnitFlag(unit: string): string {
  switch (unit) {
    case 'nanoseconds':
      return 'ns';
    case 'bytes':
      return 'B';
    default:
      // "count" and units pprof does not know are printed unscaled.
      return unit || 'count';
  }
}

export interface PprofRunOptions {
  /** Defaults to the system's newest Go: the reference. */
  readonly toolchain?: GoToolchain;
  readonly timeoutMs?: number;
}

/** Runs `go tool pprof <args>` and resolves with its stdout; rejects with stderr on failure. */
export function runPprof(args: readonly string[], options: PprofRunOptions = {}): Promise<string> {
  const go = (options.toolchain ?? systemGo()).goBin;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOCACHE: process.env.GOCACHE || join(tmpdir(), 'stackwatch-fixtures', 'gocache'),
    PPROF_TMPDIR: tmpdir(),
    // Never fetch or symbolize anything: the answer must come from the bytes alone.
    PPROF_BINARY_PATH: '/nonexistent',
  };
  return new Promise((resolve, reject) => {
    execFile(
      go,
      ['tool', 'pprof', '-symbolize=none', ...args],
      { env, maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`go tool pprof ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** "1490000000ns", "1529B", "0", "-12" → bigint; anything scaled or fractional throws. */
export function parseExactValue(text: string): bigint {
  const m = /^(-?\d+)[A-Za-z]*$/.exec(text);
  if (!m) throw new Error(`go tool pprof printed ${JSON.stringify(text)}, not an exact integer: use another -unit`);
  return BigInt(m[1]);
}

const INLINE_LABEL = / \((?:partial-)?inline\)$/;

export interface PprofTopRow {
  readonly function: string;
  readonly flat: bigint;
  readonly cum: bigint;
}

export interface PprofTop {
  /** The `Type:` header line, e.g. "inuse_space". */
  readonly type: string;
  /** The "of N total" figure: pprof sums |value| over all samples. */
  readonly total: bigint;
  readonly rows: PprofTopRow[];
}

export interface SampleViewOptions extends PprofRunOptions {
  readonly sampleIndex: number;
  /** The sample type's unit, e.g. "bytes": picks the exact -unit. */
  readonly unit: string;
}

function viewArgs(o: SampleViewOptions): string[] {
  return [`-sample_index=${o.sampleIndex}`, `-unit=${exactUnitFlag(o.unit)}`];
}

export function parsePprofTop(text: string): PprofTop {
  const lines = text.split('\n');
  const type = lines.find((l) => l.startsWith('Type: '))?.slice('Type: '.length).trim() ?? '';
  const showing = lines.find((l) => l.startsWith('Showing nodes accounting for'));
  const totalMatch = showing ? / of (\S+) total$/.exec(showing.trim()) : null;
  if (!totalMatch) throw new Error(`no "Showing nodes accounting for … total" line in go tool pprof -top output:\n${text}`);
  const header = lines.findIndex((l) => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$/.test(l));
  const rows: PprofTopRow[] = [];
  if (header >= 0) {
    for (const line of lines.slice(header + 1)) {
      if (line.trim() === '') continue;
      const m = /^\s*(\S+) +(\S+) +(\S+) +(\S+) +(\S+) {2}(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected go tool pprof -top row: ${JSON.stringify(line)}`);
      rows.push({ function: m[6].replace(INLINE_LABEL, ''), flat: parseExactValue(m[1]), cum: parseExactValue(m[4]) });
    }
  }
  return { type, total: parseExactValue(totalMatch[1]), rows };
}

/** `-top` with every node kept (no count, node or edge cut-off). */
export async function pprofTop(files: string | readonly string[], options: SampleViewOptions): Promise<PprofTop> {
  const args = ['-top', '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', ...viewArgs(options)];
  return parsePprofTop(await runPprof([...args, ...[files].flat()], options));
}

export interface PprofTrace {
  /** Root first, like NormalizedProfile stacks; pprof prints them leaf first. */
  readonly frames: string[];
  readonly value: bigint;
}

const TRACE_SEPARATOR = '-----------+-------------------------------------------------------';

export function parsePprofTraces(text: string): PprofTrace[] {
  const blocks = text.split('\n' + TRACE_SEPARATOR + '\n').slice(1);
  const traces: PprofTrace[] = [];
  for (const block of blocks) {
    let value: bigint | undefined;
    const leafFirst: string[] = [];
    for (const line of block.split('\n')) {
      if (line.trim() === '' || line === TRACE_SEPARATOR) continue;
      if (value === undefined) {
        // Label lines ("%10s:  %s") come before the value line ("%10s   %s").
        if (/^\s*[^\s:]+: {2}/.test(line)) continue;
        const m = /^\s*(\S+) {3}(.*)$/.exec(line);
        if (!m) throw new Error(`unexpected go tool pprof -traces line: ${JSON.stringify(line)}`);
        value = parseExactValue(m[1]);
        leafFirst.push(m[2]);
      } else {
        const m = /^ {13}(.*)$/.exec(line);
        if (!m) throw new Error(`unexpected go tool pprof -traces frame line: ${JSON.stringify(line)}`);
        leafFirst.push(m[1]);
      }
    }
    if (value === undefined) continue;
    traces.push({ value, frames: leafFirst.map((f) => f.replace(INLINE_LABEL, '')).reverse() });
  }
  return traces;
}

/** `-traces`: one entry per sample (not aggregated), including zero-valued ones. */
export async function pprofTraces(file: string, options: SampleViewOptions): Promise<PprofTrace[]> {
  return parsePprofTraces(await runPprof(['-traces', ...viewArgs(options), file], options));
}

export interface PprofRawLocation {
  readonly id: number;
  readonly address: bigint;
  /** Function names of the location's lines in pprof order: innermost (inlined) first; null for "??". */
  readonly lines: Array<string | null>;
}

export interface PprofRaw {
  readonly periodType?: { type: string; unit: string };
  readonly period: bigint;
  readonly sampleTypes: Array<{ type: string; unit: string }>;
  readonly defaultSampleType?: string;
  /** Location ids leaf first, values exact, one per sample type. */
  readonly samples: Array<{ values: bigint[]; locationIds: number[] }>;
  readonly locations: Map<number, PprofRawLocation>;
}

// "name file:line:col s=startLine" with an optional "(systemName)" when it differs from name.
const RAW_LINE = /^(.*) (\S*):(-?\d+)(?::(-?\d+))? s=(-?\d+)(?:\(.*\))?$/;

function rawFunctionName(text: string): string | null {
  if (text === '??') return null;
  const m = RAW_LINE.exec(text);
  if (!m) throw new Error(`unexpected go tool pprof -raw location line: ${JSON.stringify(text)}`);
  return m[1];
}

export function parsePprofRaw(text: string): PprofRaw {
  const lines = text.split('\n');
  let periodType: PprofRaw['periodType'];
  let period = 0n;
  let sampleTypes: PprofRaw['sampleTypes'] = [];
  let defaultSampleType: string | undefined;
  const samples: PprofRaw['samples'] = [];
  const locations = new Map<number, PprofRawLocation>();
  let section: 'header' | 'sampleTypes' | 'samples' | 'locations' | 'other' = 'header';
  let current: PprofRawLocation | undefined;
  for (const line of lines) {
    if (line === 'Samples:') section = 'sampleTypes';
    else if (line === 'Locations') section = 'locations';
    else if (line === 'Mappings') section = 'other';
    else if (section === 'header') {
      const pt = /^PeriodType: (\S*) (\S*)$/.exec(line);
      if (pt) periodType = { type: pt[1], unit: pt[2] };
      const p = /^Period: (-?\d+)$/.exec(line);
      if (p) period = BigInt(p[1]);
    } else if (section === 'sampleTypes') {
      sampleTypes = line
        .trim()
        .split(/\s+/)
        .filter((s) => s !== '')
        .map((s) => {
          const dflt = s.endsWith('[dflt]');
          const [type, unit] = s.replace(/\[dflt\]$/, '').split('/');
          if (dflt) defaultSampleType = type;
          return { type, unit: unit ?? '' };
        });
      section = 'samples';
    } else if (section === 'samples') {
      const m = /^\s*(-?\d+(?:\s+-?\d+)*): ?((?:\d+ ?)*)$/.exec(line);
      // Anything else is a label line under the sample.
      if (m) {
        samples.push({
          values: m[1].trim().split(/\s+/).map(BigInt),
          locationIds: m[2].trim() === '' ? [] : m[2].trim().split(/\s+/).map(Number),
        });
      }
    } else if (section === 'locations') {
      const m = /^\s*(\d+): (0x[0-9a-f]+) (?:M=\d+ )?(?:\[F\] )?(.*)$/.exec(line);
      if (m) {
        current = { id: Number(m[1]), address: BigInt(m[2]), lines: m[3] === '' ? [] : [rawFunctionName(m[3])] };
        locations.set(current.id, current);
      } else if (current && /^ {13}\S/.test(line)) {
        current.lines.push(rawFunctionName(line.trim()));
      } else if (line.trim() !== '') {
        throw new Error(`unexpected go tool pprof -raw location line: ${JSON.stringify(line)}`);
      }
    }
  }
  return { ...(periodType ? { periodType } : {}), period, sampleTypes, ...(defaultSampleType ? { defaultSampleType } : {}), samples, locations };
}

/** `-raw`: the profile as go tool pprof parsed it. */
export async function pprofRaw(file: string, options: PprofRunOptions = {}): Promise<PprofRaw> {
  return parsePprofRaw(await runPprof(['-raw', file], options));
}
