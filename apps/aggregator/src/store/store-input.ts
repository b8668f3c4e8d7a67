import type { IngestBatch, MetricSeriesFilter, SampleRecord, StoredTrigger, TimeRange } from './profile-store';
import { utcDay } from './sql-literal';

/**
 * Checks shared by both stores: what a write or a query may contain, and the day partitions a
 * range covers. Both adapters call these first so that bad input fails the same way, with the
 * field named, before any SQL is built.
 */
export class StoreInputError extends Error {
  override readonly name = 'StoreInputError';
}

/** Times a store can keep: DateTime on ClickHouse 18.16 is unsigned 32-bit seconds. */
const MAX_TIME_MS = 4_294_967_295_000;
const STACK_HASH = /^[0-9a-f]{16}$/;
const MAX_LIMIT = 1_000_000;
/** A metric series returns at most this many buckets per instance. */
const MAX_BUCKETS = 100_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Array.isArray without narrowing: the checks run on values typed as arrays but coming from outside. */
const isList = (value: unknown): boolean => Array.isArray(value);

function fail(path: string, problem: string): never {
  throw new StoreInputError(`${path}: ${problem}`);
}

function text(path: string, value: unknown, { empty = true } = {}): void {
  if (typeof value !== 'string') fail(path, `expected a string, got ${typeof value}`);
  if (!empty && value === '') fail(path, 'must not be empty');
  if (LONE_SURROGATE.test(value)) fail(path, 'contains a lone UTF-16 surrogate (not valid Unicode)');
}

/**
 * `text` for the columns every sample repeats (service, instance, profile id, types, stack hash):
 * a string already accepted in this call is not scanned again, which keeps validating 10⁶ samples
 * cheap.
 */
function repeatedText(accepted: Set<string>, path: string, value: unknown): void {
  if (typeof value === 'string' && accepted.has(value)) return;
  text(path, value, { empty: false });
  accepted.add(value as string);
}

function finite(path: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `expected a finite number, got ${String(value)}`);
}

function safeInteger(path: string, value: unknown, min = Number.MIN_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(path, `expected an integer ≥ ${min}, got ${String(value)}`);
}

function time(path: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_TIME_MS) {
    fail(path, `expected unix milliseconds between 1970 and 2106, got ${String(value)}`);
  }
}

function stringMap(path: string, value: unknown): void {
  if (value === null || typeof value !== 'object') fail(path, 'expected an object of strings');
  for (const [key, entry] of Object.entries(value)) {
    text(`${path} key ${JSON.stringify(key)}`, key);
    text(`${path}[${JSON.stringify(key)}]`, entry);
  }
}

function stringList(path: string, value: unknown): void {
  if (!isList(value)) fail(path, 'expected an array of strings');
  const list = value as readonly unknown[];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    // The path is only built for a bad entry: frame lists are long and many.
    if (typeof entry !== 'string' || LONE_SURROGATE.test(entry)) text(`${path}[${i}]`, entry);
  }
}

function instanceKey(path: string, row: { service: unknown; instance: unknown }): void {
  text(`${path}.service`, row.service, { empty: false });
  text(`${path}.instance`, row.instance, { empty: false });
}

/** Throws StoreInputError naming the first bad field (e.g. `batches[0].samples[3].value`). */
export function checkBatches(batches: readonly IngestBatch[]): void {
  if (!isList(batches)) fail('batches', 'expected an array');
  const accepted = new Set<string>();
  const hashes = new Set<string>();
  const stacks = new Map<string, Set<string>>();
  batches.forEach((batch, b) => {
    const at = `batches[${b}]`;
    text(`${at}.messageId`, batch.messageId, { empty: false });
    time(`${at}.timeMs`, batch.timeMs);
    batch.profiles?.forEach((p, i) => {
      const path = `${at}.profiles[${i}]`;
      instanceKey(path, p);
      text(`${path}.id`, p.id, { empty: false });
      stringMap(`${path}.labels`, p.labels);
      safeInteger(`${path}.pid`, p.pid, 0);
      text(`${path}.goVersion`, p.goVersion);
      text(`${path}.type`, p.type, { empty: false });
      time(`${path}.startMs`, p.startMs);
      safeInteger(`${path}.durationMs`, p.durationMs, 0);
      const trigger = p.trigger as { kind?: unknown } | undefined;
      if (trigger?.kind === 'rule') {
        const rule = p.trigger as Extract<StoredTrigger, { kind: 'rule' }>;
        text(`${path}.trigger.rule`, rule.rule);
        finite(`${path}.trigger.value`, rule.value);
        finite(`${path}.trigger.average`, rule.average);
        finite(`${path}.trigger.threshold`, rule.threshold);
        text(`${path}.trigger.eventId`, rule.eventId);
      } else if (trigger?.kind === 'analysis') {
        const analysis = p.trigger as Extract<StoredTrigger, { kind: 'analysis' }>;
        text(`${path}.trigger.analysis`, analysis.analysis);
        text(`${path}.trigger.eventId`, analysis.eventId);
      } else if (trigger?.kind !== 'baseline') {
        fail(`${path}.trigger.kind`, `expected baseline, rule or analysis, got ${String(trigger?.kind)}`);
      }
      if (!isList(p.sampleTypes)) fail(`${path}.sampleTypes`, 'expected an array');
      p.sampleTypes.forEach((st, j) => {
        text(`${path}.sampleTypes[${j}].type`, st.type);
        text(`${path}.sampleTypes[${j}].unit`, st.unit);
      });
      if (!(p.pprofGzip instanceof Uint8Array)) fail(`${path}.pprofGzip`, 'expected bytes (Uint8Array)');
    });
    batch.stacks?.forEach((s, i) => {
      // A (service, hash) already accepted in this call carries the same frames: skip it.
      if (stacks.get(s.service)?.has(s.hash)) return;
      const path = `${at}.stacks[${i}]`;
      repeatedText(accepted, `${path}.service`, s.service);
      if (typeof s.hash !== 'string' || !STACK_HASH.test(s.hash)) fail(`${path}.hash`, `expected 16 lowercase hex digits, got ${JSON.stringify(s.hash)}`);
      stringList(`${path}.frames`, s.frames);
      const ofService = stacks.get(s.service) ?? new Set<string>();
      stacks.set(s.service, ofService.add(s.hash));
    });
    let previous: SampleRecord | undefined;
    batch.samples?.forEach((s, i) => {
      // Fast paths (10⁶ samples per call happen): the same strings and time as the previous
      // sample, or strings all accepted earlier in this call. Error paths are built only when
      // something is wrong.
      const same =
        previous !== undefined &&
        s.profileId === previous.profileId &&
        s.service === previous.service &&
        s.instance === previous.instance &&
        s.profileType === previous.profileType &&
        s.sampleType === previous.sampleType &&
        s.timeMs === previous.timeMs;
      if (same && hashes.has(s.stackHash) && Number.isSafeInteger(s.value)) return;
      previous = s;
      if (
        accepted.has(s.service) &&
        accepted.has(s.instance) &&
        accepted.has(s.profileId) &&
        accepted.has(s.profileType) &&
        accepted.has(s.sampleType) &&
        hashes.has(s.stackHash) &&
        Number.isSafeInteger(s.value) &&
        Number.isSafeInteger(s.timeMs) &&
        s.timeMs >= 0 &&
        s.timeMs <= MAX_TIME_MS
      ) {
        return;
      }
      const path = `${at}.samples[${i}]`;
      repeatedText(accepted, `${path}.service`, s.service);
      repeatedText(accepted, `${path}.instance`, s.instance);
      repeatedText(accepted, `${path}.profileId`, s.profileId);
      repeatedText(accepted, `${path}.profileType`, s.profileType);
      repeatedText(accepted, `${path}.sampleType`, s.sampleType);
      time(`${path}.timeMs`, s.timeMs);
      if (typeof s.stackHash !== 'string' || !STACK_HASH.test(s.stackHash)) fail(`${path}.stackHash`, `expected 16 lowercase hex digits, got ${JSON.stringify(s.stackHash)}`);
      hashes.add(s.stackHash);
      safeInteger(`${path}.value`, s.value);
    });
    batch.metrics?.forEach((m, i) => {
      const path = `${at}.metrics[${i}]`;
      instanceKey(path, m);
      time(`${path}.timeMs`, m.timeMs);
      text(`${path}.name`, m.name, { empty: false });
      finite(`${path}.value`, m.value);
    });
    batch.events?.forEach((e, i) => {
      const path = `${at}.events[${i}]`;
      instanceKey(path, e);
      text(`${path}.id`, e.id, { empty: false });
      time(`${path}.timeMs`, e.timeMs);
      text(`${path}.kind`, e.kind, { empty: false });
      finite(`${path}.value`, e.value);
      finite(`${path}.average`, e.average);
      finite(`${path}.threshold`, e.threshold);
      text(`${path}.reason`, e.reason);
      stringList(`${path}.profileIds`, e.profileIds);
      if (!isList(e.findings)) fail(`${path}.findings`, 'expected an array');
    });
    batch.statuses?.forEach((s, i) => {
      const path = `${at}.statuses[${i}]`;
      instanceKey(path, s);
      time(`${path}.timeMs`, s.timeMs);
      text(`${path}.state`, s.state, { empty: false });
      text(`${path}.detail`, s.detail);
      safeInteger(`${path}.pid`, s.pid, 0);
      text(`${path}.goVersion`, s.goVersion);
      text(`${path}.url`, s.url);
      stringMap(`${path}.labels`, s.labels);
    });
  });
}

/** The UTC days [first, last] a range touches, or undefined when the range is empty (to ≤ from). */
export function rangeDays(range: TimeRange, what = 'range'): { first: string; last: string } | undefined {
  checkRange(range, what);
  if (range.toMs <= range.fromMs) return undefined;
  return { first: utcDay(Math.max(0, range.fromMs)), last: utcDay(Math.min(MAX_TIME_MS, range.toMs - 1)) };
}

export function checkRange(range: TimeRange, what = 'range'): void {
  if (range === null || typeof range !== 'object') fail(what, 'expected {fromMs, toMs}');
  safeInteger(`${what}.fromMs`, range.fromMs);
  safeInteger(`${what}.toMs`, range.toMs);
}

/**
 * Whole-second bounds for columns kept at second precision (metrics, statuses): a row stored at
 * second s stands for s × 1000 ms, so it is in [from, to) when ceil(from) ≤ s < ceil(to).
 */
export function secondBounds(range: TimeRange): { fromMs: number; toMs: number } {
  const clamp = (ms: number) => Math.min(MAX_TIME_MS, Math.max(0, ms));
  return { fromMs: clamp(Math.ceil(range.fromMs / 1000) * 1000), toMs: clamp(Math.ceil(range.toMs / 1000) * 1000) };
}

/** Clamps a time into what DateTime literals accept (queries may ask for any range). */
export function clampTime(ms: number): number {
  return Math.min(MAX_TIME_MS, Math.max(0, ms));
}

export function checkLimit(limit: number, what = 'limit'): void {
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    fail(what, `expected an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`);
  }
}

export function checkText(value: unknown, what: string): void {
  text(what, value);
}

export function checkOptionalList(values: readonly string[] | undefined, what: string): void {
  if (values !== undefined) stringList(what, values);
}

/** Stack hashes a query names: 16 lowercase hex digits each. */
export function checkStackHashes(values: readonly string[] | undefined, what: string): void {
  if (values === undefined) return;
  if (!isList(values)) fail(what, 'expected an array of stack hashes');
  values.forEach((hash, i) => {
    if (typeof hash !== 'string' || !STACK_HASH.test(hash)) fail(`${what}[${i}]`, `expected 16 lowercase hex digits, got ${JSON.stringify(hash)}`);
  });
}

export function checkStep(filter: MetricSeriesFilter): void {
  if (typeof filter.stepMs !== 'number' || !Number.isSafeInteger(filter.stepMs) || filter.stepMs < 1000) {
    fail('stepMs', `expected whole milliseconds ≥ 1000 (metrics are kept per second), got ${String(filter.stepMs)}`);
  }
  if (filter.toMs > filter.fromMs && (filter.toMs - filter.fromMs) / filter.stepMs > MAX_BUCKETS) {
    fail('stepMs', `${filter.stepMs} ms makes more than ${MAX_BUCKETS} buckets over the range`);
  }
}

/** The earliest and latest timeMs of the batches (the ledger days to look in). */
export function timeSpan(batches: readonly IngestBatch[]): { fromMs: number; toMs: number } {
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const b of batches) {
    fromMs = Math.min(fromMs, b.timeMs);
    toMs = Math.max(toMs, b.timeMs);
  }
  return { fromMs, toMs };
}

/** Messages of one write call, first occurrence of each id only (a call may repeat an id). */
export function distinctBatches(batches: readonly IngestBatch[]): IngestBatch[] {
  const seen = new Set<string>();
  return batches.filter((batch) => !seen.has(batch.messageId) && seen.add(batch.messageId));
}
