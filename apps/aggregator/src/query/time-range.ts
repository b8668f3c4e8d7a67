import type { TimeRange } from '../store/profile-store';
import { InvalidParameterError, quoted } from './invalid-parameter';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TIME_FORMS = 'RFC 3339 (2026-11-26T23:23:32Z), unix milliseconds, now, or now-15m (units s, m, h, d)';
// Date's own limit: ±8.64e15 ms around 1970.
const MAX_TIME_MS = 8.64e15;
const HOUR_MS = 3_600_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** RFC 3339 → unix ms, checking each field (Date.parse accepts 2026-02-30 and 24:00). */
function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // RFC 3339 allows a leap second (:60); Date.UTC carries it into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const fractionMs = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  let offsetMs = 0;
  const zone = m[8];
  if (zone !== 'Z' && zone !== 'z') {
    const [hh, mm] = zone.slice(1).split(':').map(Number);
    if (hh > 23 || mm > 59) return undefined;
    offsetMs = (zone.startsWith('-') ? -1 : 1) * (hh * 60 + mm) * 60_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, fractionMs) - offsetMs;
}

/**
 * One time parameter: RFC 3339, unix milliseconds, `now`, or `now-<n><s|m|h|d>`.
 * Throws an InvalidParameterError naming `parameter`.
 */
export function parseTimeParameter(parameter: string, text: string, nowMs: number): number {
  const trimmed = text.trim();
  let ms: number | undefined;
  if (trimmed === 'now') {
    ms = nowMs;
  } else if (/^\d{1,16}$/.test(trimmed)) {
    ms = Number(trimmed);
  } else {
    const relative = /^now-(\d{1,9})([smhd])$/.exec(trimmed);
    ms = relative ? nowMs - Number(relative[1]) * UNIT_MS[relative[2]] : parseRfc3339(trimmed);
  }
  if (ms === undefined) throw new InvalidParameterError(parameter, `expected ${TIME_FORMS}, got ${quoted(text)}`);
  if (ms < 0 || ms > MAX_TIME_MS) throw new InvalidParameterError(parameter, `${quoted(text)} is outside the representable time range`);
  return ms;
}

/** Renders a span for error messages: 3600000 → "1h", 90061000 → "1d1h1m1s". */
export function formatSpan(ms: number): string {
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return rest > 0 || out === '' ? `${out}${rest}ms` : out;
}

export interface RangeRules {
  readonly nowMs: number;
  /** Longest allowed span (the retention). */
  readonly maxRangeMs: number;
  /** Parameter names, for a second range such as diff's baseFrom/baseTo. */
  readonly names?: { readonly from: string; readonly to: string };
}

/**
 * The closed-open range of a request. Default: the hour before now; with only `from`, up to now;
 * with only `to`, the hour before it. `from` must precede `to`, and the span may not exceed
 * the retention (older data is gone: such a range is a mistake, not a question).
 */
export function resolveTimeRange(from: string | undefined, to: string | undefined, rules: RangeRules): TimeRange {
  const names = rules.names ?? { from: 'from', to: 'to' };
  const toMs = to === undefined ? rules.nowMs : parseTimeParameter(names.to, to, rules.nowMs);
  const fromMs = from === undefined ? Math.max(0, toMs - HOUR_MS) : parseTimeParameter(names.from, from, rules.nowMs);
  if (fromMs >= toMs) {
    throw new InvalidParameterError(names.from, `must be before ${names.to} (${new Date(fromMs).toISOString()} ≥ ${new Date(toMs).toISOString()})`);
  }
  if (toMs - fromMs > rules.maxRangeMs) {
    throw new InvalidParameterError(
      names.from,
      `the range ${names.from}–${names.to} spans ${formatSpan(toMs - fromMs)}, more than the ${formatSpan(rules.maxRangeMs)} kept`,
    );
  }
  return { fromMs, toMs };
}

/** The window a profile id is looked up in: everything still kept, plus an hour of agent clock skew. */
export function retentionWindow(nowMs: number, maxRangeMs: number): TimeRange {
  return { fromMs: Math.max(0, nowMs - maxRangeMs), toMs: nowMs + HOUR_MS };
}

/** Unix ms → RFC 3339 in UTC with milliseconds. */
export function toRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
