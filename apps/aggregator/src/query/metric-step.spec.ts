import { resolveStep } from './metric-step';

const hour = { fromMs: 0, toMs: 3_600_000 };

describe('resolveStep', () => {
  it('defaults to whole seconds giving at most 500 points', () => {
    expect(resolveStep(undefined, hour)).toBe(8_000); // 3600 s / 500 = 7.2 s → 8 s: 450 points
    expect(resolveStep(undefined, { fromMs: 0, toMs: 500_000 })).toBe(1_000);
    expect(resolveStep(undefined, { fromMs: 0, toMs: 60_000 })).toBe(1_000); // never below a second
    expect(resolveStep(undefined, { fromMs: 0, toMs: 31 * 86_400_000 })).toBe(5_357_000);
    expect(Math.ceil((31 * 86_400_000) / 5_357_000)).toBeLessThanOrEqual(500);
  });

  it('reads seconds and durations', () => {
    expect(resolveStep('30', hour)).toBe(30_000);
    expect(resolveStep('2.5', hour)).toBe(2_500);
    expect(resolveStep('1500ms', hour)).toBe(1_500);
    expect(resolveStep('30s', hour)).toBe(30_000);
    expect(resolveStep('5m', hour)).toBe(300_000);
    expect(resolveStep('1h', hour)).toBe(3_600_000);
    expect(resolveStep('1d', hour)).toBe(86_400_000);
  });

  it('accepts exactly 10000 points and refuses one more', () => {
    expect(resolveStep('1', { fromMs: 0, toMs: 10_000_000 })).toBe(1_000);
    expect(() => resolveStep('1', { fromMs: 0, toMs: 10_000_001 })).toThrow(
      'parameter "step": "1" gives 10001 points over the range, more than 10000: use a larger step',
    );
  });

  it.each(['', 'x', '-5', '5w', '1m30s', '1e3', '0.0001'])('refuses %j', (step) => {
    expect(() => resolveStep(step, hour)).toThrow(/^parameter "step": expected seconds/);
  });

  it('refuses steps under a second', () => {
    expect(() => resolveStep('0', hour)).toThrow('parameter "step": must be at least 1s');
    expect(() => resolveStep('999ms', hour)).toThrow('must be at least 1s');
  });
});
