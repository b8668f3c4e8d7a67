import { parseBoolean, parseDuration, ValueError } from '@stackwatch/config';
import type { RuleName } from '@stackwatch/contract';
import type { SampleMetric } from '../target';

/** What a rule captures when it fires. */
export type CaptureKind = 'cpu' | 'heap' | 'heap_pair' | 'goroutine' | 'threads';

/**
 * One detection rule, with Holmes' semantics: fire when `value >= min` and (`max` unset or
 * `value < max`) and (`value > abs` or `value >= avg * (100 + diff) / 100`), then sleep `cooldownMs`.
 */
export interface RuleSettings {
  readonly name: RuleName;
  readonly metric: SampleMetric;
  readonly enabled: boolean;
  readonly min: number;
  /** Percent above the moving average that fires. */
  readonly diff: number;
  readonly abs: number;
  /** Exclusive upper bound; undefined = none. */
  readonly max: number | undefined;
  readonly cooldownMs: number;
  readonly capture: CaptureKind;
}

const MINUTE = 60_000;

/** Holmes' defaults (units: % of the limit, or counts). */
export const DEFAULT_RULES: Readonly<Record<RuleName, RuleSettings>> = {
  cpu: { name: 'cpu', metric: 'cpu_percent', enabled: true, min: 10, diff: 25, abs: 70, max: undefined, cooldownMs: MINUTE, capture: 'cpu' },
  memory: { name: 'memory', metric: 'memory_percent', enabled: true, min: 10, diff: 25, abs: 80, max: undefined, cooldownMs: MINUTE, capture: 'heap' },
  gc_heap: { name: 'gc_heap', metric: 'gc_heap_percent', enabled: true, min: 10, diff: 20, abs: 40, max: undefined, cooldownMs: MINUTE, capture: 'heap_pair' },
  goroutines: { name: 'goroutines', metric: 'goroutines', enabled: true, min: 3000, diff: 20, abs: 200_000, max: 500_000, cooldownMs: 10 * MINUTE, capture: 'goroutine' },
  threads: { name: 'threads', metric: 'threads', enabled: true, min: 10, diff: 25, abs: 70, max: undefined, cooldownMs: 60 * MINUTE, capture: 'threads' },
};

const FIELDS = ['enabled', 'min', 'diff', 'abs', 'max', 'cooldown'] as const;
type RuleField = (typeof FIELDS)[number];

/** One `--rule RULE.FIELD=VALUE` override, parsed. */
export interface RuleOverride {
  readonly rule: RuleName;
  readonly field: RuleField;
  readonly value: number | boolean | undefined;
}

const FORM = `RULE.FIELD=VALUE with RULE one of ${Object.keys(DEFAULT_RULES).join(', ')} and FIELD one of ${FIELDS.join(', ')} (max=none removes the bound; cooldown takes a duration)`;

export function parseRuleOverride(text: string): RuleOverride {
  const match = /^([a-z_]+)\.([a-z]+)=(.+)$/.exec(text.trim());
  if (!match || !(match[1] in DEFAULT_RULES) || !(FIELDS as readonly string[]).includes(match[2])) throw new ValueError(FORM);
  const rule = match[1] as RuleName;
  const field = match[2] as RuleField;
  const raw = match[3];
  if (field === 'enabled') return { rule, field, value: parseBoolean(raw) };
  if (field === 'cooldown') return { rule, field, value: parseDuration(raw) };
  if (field === 'max' && raw === 'none') return { rule, field, value: undefined };
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new ValueError(`${FORM}; got a value that is not a non-negative number`);
  return { rule, field, value };
}

/** The defaults with the overrides applied, in order. */
export function resolveRules(overrides: readonly RuleOverride[]): RuleSettings[] {
  const rules = new Map(Object.values(DEFAULT_RULES).map((r) => [r.name, { ...r }]));
  for (const { rule, field, value } of overrides) {
    const settings = rules.get(rule)!;
    if (field === 'enabled') settings.enabled = value as boolean;
    else if (field === 'cooldown') settings.cooldownMs = value as number;
    else if (field === 'max') settings.max = value as number | undefined;
    else settings[field] = value as number;
  }
  return [...rules.values()];
}
