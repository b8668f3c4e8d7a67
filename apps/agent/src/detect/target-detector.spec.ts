import type { SampleMetric, TargetSample } from '../target';
import { MovingWindow } from './moving-window';
import { DEFAULT_RULES, parseRuleOverride, resolveRules, type RuleSettings } from './rule-config';
import { evaluate, TargetDetector } from './target-detector';

const rule = (overrides: Partial<RuleSettings> = {}): RuleSettings => ({ ...DEFAULT_RULES.cpu, ...overrides });
const sample = (timeMs: number, values: Partial<Record<SampleMetric, number>>): TargetSample => ({
  timeMs,
  pid: 1,
  procAccess: true,
  restarted: false,
  values,
});

describe('MovingWindow', () => {
  it('averages the last N values and reports when full', () => {
    const w = new MovingWindow(3);
    w.push(1);
    w.push(2);
    expect(w.full).toBe(false);
    expect(w.average).toBe(1.5);
    w.push(3);
    w.push(10);
    expect(w.full).toBe(true);
    expect(w.average).toBe(5);
    w.clear();
    expect(w.full).toBe(false);
    expect(w.average).toBeNaN();
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new MovingWindow(0)).toThrow(RangeError);
  });
});

describe('evaluate (the trigger rule)', () => {
  const r = rule({ min: 10, diff: 25, abs: 70, max: 90 });

  it('does not fire below min, even far above the average', () => {
    expect(evaluate(r, 9.9, 1, 0)).toBeUndefined();
  });

  it('does not fire at or above max, even above abs', () => {
    expect(evaluate(r, 90, 10, 0)).toBeUndefined();
    expect(evaluate(r, 95, 10, 0)).toBeUndefined();
  });

  it('fires above abs whatever the average, with abs as threshold', () => {
    const f = evaluate(r, 70.5, 70.5, 5)!;
    expect(f).toMatchObject({ value: 70.5, threshold: 70, timeMs: 5 });
    expect(f.reason).toBe('cpu_percent 70.5 > absolute threshold 70');
  });

  it('does not fire at exactly abs when below the diff threshold', () => {
    expect(evaluate(r, 70, 60, 0)).toBeUndefined();
  });

  it('fires at or above average × (100 + diff) / 100', () => {
    expect(evaluate(r, 25, 20, 0)).toMatchObject({ threshold: 25, average: 20 });
    expect(evaluate(r, 24.99, 20, 0)).toBeUndefined();
    expect(evaluate(r, 25, 20, 0)!.reason).toBe('cpu_percent 25 >= moving average 20 + 25% (25)');
  });

  it('fires at min itself when the diff rule holds', () => {
    expect(evaluate(r, 10, 5, 0)).toBeDefined();
  });

  it('has no upper bound when max is unset', () => {
    expect(evaluate(rule({ max: undefined }), 1e9, 1e9, 0)).toBeDefined();
  });
});

describe('TargetDetector', () => {
  const cpu = rule({ min: 10, diff: 25, abs: 70, cooldownMs: 60_000 });

  it('does not fire before the window is full', () => {
    const d = new TargetDetector([cpu], 3);
    expect(d.observe(sample(0, { cpu_percent: 5 }))).toEqual([]);
    expect(d.observe(sample(1000, { cpu_percent: 99 }))).toEqual([]);
    expect(d.observe(sample(2000, { cpu_percent: 99 }))).toHaveLength(1);
  });

  it('includes the current value in the average, as Holmes does', () => {
    const d = new TargetDetector([cpu], 4);
    for (let t = 0; t < 3; t++) d.observe(sample(t * 1000, { cpu_percent: 20 }));
    // window [20, 20, 20, 26]: average 21.5, threshold 26.875 → 26 does not fire.
    expect(d.observe(sample(3000, { cpu_percent: 26 }))).toEqual([]);
    // window [20, 20, 26, 40]: average 26.5, threshold 33.125 → fires.
    const [firing] = d.observe(sample(4000, { cpu_percent: 40 }));
    expect(firing).toMatchObject({ value: 40, average: 26.5, threshold: 33.125 });
  });

  it('sleeps for the cooldown after firing, then fires again', () => {
    const d = new TargetDetector([cpu], 2);
    d.observe(sample(0, { cpu_percent: 80 }));
    expect(d.observe(sample(1000, { cpu_percent: 80 }))).toHaveLength(1);
    expect(d.observe(sample(2000, { cpu_percent: 90 }))).toEqual([]);
    expect(d.observe(sample(60_999, { cpu_percent: 90 }))).toEqual([]);
    expect(d.observe(sample(61_000, { cpu_percent: 90 }))).toHaveLength(1);
  });

  it('keeps rules independent and skips disabled ones', () => {
    const rules = resolveRules([parseRuleOverride('memory.enabled=false'), parseRuleOverride('threads.min=1')]);
    const d = new TargetDetector(rules, 2);
    d.observe(sample(0, { cpu_percent: 1, memory_percent: 1, threads: 5 }));
    const fired = d.observe(sample(1000, { cpu_percent: 1, memory_percent: 99, threads: 100 })).map((f) => f.rule.name);
    expect(fired).toEqual(['threads']);
  });

  it('ignores missing and non-finite readings without breaking the window', () => {
    const d = new TargetDetector([cpu], 2);
    d.observe(sample(0, { cpu_percent: 80 }));
    expect(d.observe(sample(1000, {}))).toEqual([]);
    expect(d.observe(sample(2000, { cpu_percent: NaN }))).toEqual([]);
    expect(d.observe(sample(3000, { cpu_percent: 80 }))).toHaveLength(1);
  });

  it('warms up again and forgets cooldowns after reset', () => {
    const d = new TargetDetector([cpu], 2);
    d.observe(sample(0, { cpu_percent: 80 }));
    expect(d.observe(sample(1000, { cpu_percent: 80 }))).toHaveLength(1);
    d.reset();
    expect(d.observe(sample(2000, { cpu_percent: 80 }))).toEqual([]);
    expect(d.observe(sample(3000, { cpu_percent: 80 }))).toHaveLength(1);
  });

  it('applies the goroutine max of the defaults', () => {
    const d = new TargetDetector(resolveRules([]), 2);
    d.observe(sample(0, { goroutines: 600_000 }));
    expect(d.observe(sample(1000, { goroutines: 600_000 }))).toEqual([]);
  });
});

describe('rule overrides', () => {
  it('parses every field form', () => {
    expect(parseRuleOverride('cpu.abs=80')).toEqual({ rule: 'cpu', field: 'abs', value: 80 });
    expect(parseRuleOverride('goroutines.cooldown=5m')).toEqual({ rule: 'goroutines', field: 'cooldown', value: 300_000 });
    expect(parseRuleOverride('goroutines.max=none')).toEqual({ rule: 'goroutines', field: 'max', value: undefined });
    expect(parseRuleOverride('gc_heap.enabled=false')).toEqual({ rule: 'gc_heap', field: 'enabled', value: false });
  });

  it.each(['cpu.abs', 'disk.abs=1', 'cpu.speed=1', 'cpu.abs=-1', 'cpu.abs=lots', 'cpu.cooldown=soon'])('rejects %j', (text) =>
    expect(() => parseRuleOverride(text)).toThrow(/expected/),
  );

  it('applies overrides over the Holmes defaults', () => {
    const rules = resolveRules([parseRuleOverride('cpu.abs=80'), parseRuleOverride('cpu.abs=85'), parseRuleOverride('goroutines.max=none')]);
    expect(rules.find((r) => r.name === 'cpu')).toMatchObject({ abs: 85, min: 10, diff: 25, cooldownMs: 60_000 });
    expect(rules.find((r) => r.name === 'goroutines')!.max).toBeUndefined();
    expect(DEFAULT_RULES.cpu.abs).toBe(70);
  });

  it('has the documented defaults', () => {
    const table = resolveRules([]).map((r) => [r.name, r.min, r.diff, r.abs, r.max, r.cooldownMs / 60_000]);
    expect(table).toEqual([
      ['cpu', 10, 25, 70, undefined, 1],
      ['memory', 10, 25, 80, undefined, 1],
      ['gc_heap', 10, 20, 40, undefined, 1],
      ['goroutines', 3000, 20, 200_000, 500_000, 10],
      ['threads', 10, 25, 70, undefined, 60],
    ]);
  });
});
