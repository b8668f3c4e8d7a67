import { diffFunctions } from './function-diff';
import type { AggregatedStack } from './function-totals';

function stacks(spec: Record<string, number>): AggregatedStack[] {
  return Object.entries(spec).map(([key, value]) => ({ frames: key.split(';'), value, instances: 1 }));
}

describe('diffFunctions', () => {
  it('scales each side, then subtracts; largest |total delta| first', () => {
    // Base: 60 s on 2 instances → scale 1/120. Current: 30 s on 1 instance → scale 1/30.
    const base = { stacks: stacks({ 'main;work': 1200, 'main;gc': 240 }), scale: 1 / 120 };
    const current = { stacks: stacks({ 'main;work': 300, 'main;leak': 90 }), scale: 1 / 30 };
    const rows = diffFunctions(base, current);
    const byName = Object.fromEntries(rows.map((r) => [r.function, [r.base, r.current, r.delta]]));
    // main total: base (1200 + 240) / 120 = 12, current (300 + 90) / 30 = 13.
    expect(byName.main).toEqual([12, 13, 1]);
    // work: 1200 / 120 = 10 → 300 / 30 = 10: no change despite a shorter window and fewer instances.
    expect(byName.work).toEqual([10, 10, 0]);
    expect(byName.leak).toEqual([0, 3, 3]);
    expect(byName.gc).toEqual([2, 0, -2]);
    expect(rows.map((r) => r.function)).toEqual(['leak', 'gc', 'main', 'work']);
  });

  it('carries the self change alongside the total one', () => {
    const [main] = diffFunctions({ stacks: stacks({ 'main;a': 4, main: 1 }), scale: 1 }, { stacks: stacks({ 'main;a': 4, main: 3 }), scale: 1 });
    expect(main).toEqual({ function: 'main', base: 5, current: 7, delta: 2, self: { base: 1, current: 3, delta: 2 } });
  });

  it('breaks total ties by |self delta|, then by name', () => {
    const rows = diffFunctions({ stacks: [], scale: 1 }, { stacks: stacks({ 'x;y': 2, 'z;w': 2 }), scale: 1 });
    expect(rows.map((r) => r.function)).toEqual(['w', 'y', 'x', 'z']);
  });

  it('ranks by |self delta| first with order self', () => {
    // The root grows most in total; the leaf that grew is what order=self puts first.
    const base = { stacks: stacks({ 'root;a': 5, 'root;b': 5 }), scale: 1 };
    const current = { stacks: stacks({ 'root;a': 9, 'root;b': 7 }), scale: 1 };
    expect(diffFunctions(base, current).map((r) => r.function)).toEqual(['root', 'a', 'b']);
    expect(diffFunctions(base, current, 'self').map((r) => r.function)).toEqual(['a', 'b', 'root']);
  });

  it('refuses negative or non-finite scales', () => {
    expect(() => diffFunctions({ stacks: [], scale: -1 }, { stacks: [], scale: 1 })).toThrow('base scale must be a finite number ≥ 0');
    expect(() => diffFunctions({ stacks: [], scale: 1 }, { stacks: [], scale: Infinity })).toThrow('current scale must be');
  });
});
