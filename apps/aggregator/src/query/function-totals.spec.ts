import { stackHash, topFunctions, type NormalizedProfile } from '@stackwatch/pprof';
import fc from 'fast-check';
import { functionTotals, rankFunctions, stacksTotal, type AggregatedStack } from './function-totals';

function stacks(spec: Record<string, [value: number, instances: number]>): AggregatedStack[] {
  return Object.entries(spec).map(([key, [value, instances]]) => ({ frames: key === '' ? [] : key.split(';'), value, instances }));
}

describe('functionTotals', () => {
  const sample = stacks({
    'main;rec;rec;rec;leaf': [10, 1],
    'main;rec;rec': [5, 3],
    'main;other': [7, 2],
    'main;zero': [0, 5],
    main: [1, 1],
    '': [100, 4],
  });

  it('self from leaves, total once per stack even when recursive, instances the widest stack', () => {
    const byName = Object.fromEntries([...functionTotals(sample).values()].map((f) => [f.function, [f.self, f.total, f.instances]]));
    // main: self 1; total 10 + 5 + 7 + 1 = 23; widest stack through it: main;rec;rec on 3 instances.
    // rec: self 5 (main;rec;rec ends in rec); total 10 + 5 = 15 (not 3 × 10 + 2 × 5).
    expect(byName).toEqual({
      main: [1, 23, 3],
      rec: [5, 15, 3],
      leaf: [10, 10, 1],
      other: [7, 7, 2],
    });
  });

  it('leaves out zero stacks and stacks without frames (they count in the total only)', () => {
    expect(functionTotals(sample).has('zero')).toBe(false);
    expect(stacksTotal(sample)).toBe(123);
  });

  it('keeps fractional values (averaged gauges)', () => {
    const f = functionTotals(stacks({ 'a;b': [0.5, 1], a: [0.25, 1] }));
    expect(f.get('a')).toEqual({ function: 'a', self: 0.25, total: 0.75, instances: 1 });
  });
});

describe('rankFunctions', () => {
  const sample = stacks({ 'main;a': [3, 1], 'main;b': [3, 1], 'main;c': [-5, 1], 'main;a;d': [1, 1] });

  it('orders by |self| or |total|, ties by name, and cuts at limit', () => {
    expect(rankFunctions(sample, 'self', 10).map((f) => f.function)).toEqual(['c', 'a', 'b', 'd', 'main']);
    expect(rankFunctions(sample, 'total', 10).map((f) => f.function)).toEqual(['c', 'a', 'b', 'main', 'd']);
    expect(rankFunctions(sample, 'total', 2).map((f) => f.function)).toEqual(['c', 'a']);
  });
});

describe('agrees with @stackwatch/pprof on integer stacks', () => {
  const frame = fc.constantFrom('main', 'a', 'b', 'c', 'runtime.goexit');
  const stackArb = fc.record({ frames: fc.array(frame, { maxLength: 6 }), value: fc.integer({ min: 0, max: 1_000_000 }) });

  it('self and total match topFunctions of the same stacks', () => {
    fc.assert(
      fc.property(fc.array(stackArb, { maxLength: 20 }), (raw) => {
        // NormalizedProfile stacks are distinct: merge duplicates by their hash first.
        const merged = new Map<string, { frames: string[]; value: number }>();
        for (const s of raw) {
          const key = stackHash(s.frames);
          const e = merged.get(key) ?? { frames: s.frames, value: 0 };
          e.value += s.value;
          merged.set(key, e);
        }
        const profile: NormalizedProfile = {
          sampleTypes: [{ type: 'samples', unit: 'count' }],
          period: 1n,
          timeNanos: 0n,
          durationNanos: 0n,
          stacks: [...merged.values()].map((s) => ({ frames: s.frames, values: [BigInt(s.value)] })),
        };
        const ours = [...functionTotals([...merged.values()].map((s) => ({ ...s, instances: 1 }))).values()]
          .map((f) => [f.function, f.self, f.total])
          .sort();
        const theirs = topFunctions(profile, { order: 'self' })
          .map((f) => [f.function, Number(f.self), Number(f.total)])
          .sort();
        expect(ours).toEqual(theirs);
      }),
    );
  });
});
