import type { TimeRange } from '../store/profile-store';
import { InvalidParameterError, quoted } from './invalid-parameter';

/** Points a series has at most by default, and at most when a step is asked for. */
export const DEFAULT_MAX_POINTS = 500;
export const MAX_POINTS = 10_000;
// Metrics are stored at whole seconds: a finer bucket would only hold one point or none.
const MIN_STEP_MS = 1_000;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The bucket width of a series. `step` is seconds ("30", "2.5") or a duration ("30s", "5m", "1h",
 * "1d"), as Prometheus takes it; without one, the smallest whole number of seconds that gives at
 * most 500 points. A step giving more than 10000 points is a 400.
 */
export function resolveStep(step: string | undefined, range: TimeRange): number {
  const spanMs = range.toMs - range.fromMs;
  if (step === undefined) return Math.max(MIN_STEP_MS, Math.ceil(spanMs / DEFAULT_MAX_POINTS / 1000) * 1000);
  const m = /^(\d{1,12}(?:\.\d{1,3})?)(ms|s|m|h|d)?$/.exec(step.trim());
  if (!m) throw new InvalidParameterError('step', `expected seconds (30) or a duration (30s, 5m, 1h, 1d), got ${quoted(step)}`);
  const stepMs = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
  if (stepMs < MIN_STEP_MS) throw new InvalidParameterError('step', `must be at least 1s (metrics are stored per second), got ${quoted(step)}`);
  const points = Math.ceil(spanMs / stepMs);
  if (points > MAX_POINTS) {
    throw new InvalidParameterError('step', `${quoted(step)} gives ${points} points over the range, more than ${MAX_POINTS}: use a larger step`);
  }
  return stepMs;
}
