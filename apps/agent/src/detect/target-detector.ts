import type { TargetSample } from '../target';
import { MovingWindow } from './moving-window';
import type { RuleSettings } from './rule-config';

/** A rule that fired on one sample. */
export interface RuleFiring {
  readonly rule: RuleSettings;
  readonly timeMs: number;
  readonly value: number;
  /** Moving average of the window, the current value included (as Holmes computes it). */
  readonly average: number;
  /** The bound the value crossed: `abs`, or `average × (100 + diff) / 100`. */
  readonly threshold: number;
  readonly reason: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Holmes' edge detection for one target: every sample's readings go into a window per metric;
 * once the window is full, each enabled rule is checked and, when it fires, sleeps for its
 * cooldown. Readings keep filling the windows during cooldowns.
 */
export class TargetDetector {
  private readonly windows = new Map<string, MovingWindow>();
  private readonly quietUntil = new Map<string, number>();

  constructor(
    private readonly rules: readonly RuleSettings[],
    private readonly windowSize: number,
  ) {}

  observe(sample: TargetSample): RuleFiring[] {
    const firings: RuleFiring[] = [];
    for (const [metric, value] of Object.entries(sample.values)) {
      if (value === undefined || !Number.isFinite(value)) continue;
      let window = this.windows.get(metric);
      if (!window) this.windows.set(metric, (window = new MovingWindow(this.windowSize)));
      window.push(value);
    }
    for (const rule of this.rules) {
      const value = sample.values[rule.metric];
      const window = this.windows.get(rule.metric);
      if (!rule.enabled || value === undefined || !window?.full) continue;
      if ((this.quietUntil.get(rule.name) ?? -Infinity) > sample.timeMs) continue;
      const firing = evaluate(rule, value, window.average, sample.timeMs);
      if (firing) {
        this.quietUntil.set(rule.name, sample.timeMs + rule.cooldownMs);
        firings.push(firing);
      }
    }
    return firings;
  }

  /** A restarted process starts a new history: warm up again, forget cooldowns. */
  reset(): void {
    this.windows.clear();
    this.quietUntil.clear();
  }
}

/** The trigger rule itself, with Holmes' order of checks. */
export function evaluate(rule: RuleSettings, value: number, average: number, timeMs: number): RuleFiring | undefined {
  if (value < rule.min) return undefined;
  if (rule.max !== undefined && value >= rule.max) return undefined;
  const metric = rule.metric;
  if (value > rule.abs) {
    return { rule, timeMs, value, average, threshold: rule.abs, reason: `${metric} ${round(value)} > absolute threshold ${rule.abs}` };
  }
  const threshold = (average * (100 + rule.diff)) / 100;
  if (value >= threshold) {
    return {
      rule,
      timeMs,
      value,
      average,
      threshold,
      reason: `${metric} ${round(value)} >= moving average ${round(average)} + ${rule.diff}% (${round(threshold)})`,
    };
  }
  return undefined;
}
