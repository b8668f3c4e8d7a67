import type { NormalizedProfile } from './profile';
import { selectSampleType, type SampleTypeSelector } from './sample-type';

export interface FunctionValue {
  readonly function: string;
  /** Value of the stacks whose leaf is this function (pprof's "flat"). */
  readonly self: bigint;
  /** Value of the stacks containing this function, once per stack even when recursive ("cum"). */
  readonly total: bigint;
}

export interface TopOptions {
  readonly sampleType?: SampleTypeSelector;
  readonly order: 'self' | 'total';
  readonly limit?: number;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Self and total value of every function of one sample type, unsorted. */
export function functionValues(p: NormalizedProfile, sampleType?: SampleTypeSelector): Map<string, FunctionValue> {
  const { index } = selectSampleType(p, sampleType);
  const acc = new Map<string, { self: bigint; total: bigint }>();
  const entry = (name: string): { self: bigint; total: bigint } => {
    let e = acc.get(name);
    if (!e) acc.set(name, (e = { self: 0n, total: 0n }));
    return e;
  };
  for (const stack of p.stacks) {
    const v = stack.values[index];
    // Like go tool pprof, a sample of value 0 does not make its functions appear.
    if (v === 0n || stack.frames.length === 0) continue;
    entry(stack.frames[stack.frames.length - 1]).self += v;
    for (const name of new Set(stack.frames)) entry(name).total += v;
  }
  const out = new Map<string, FunctionValue>();
  for (const [name, e] of acc) out.set(name, { function: name, self: e.self, total: e.total });
  return out;
}

/**
 * Functions ranked by self or total value, largest magnitude first (go tool pprof sorts by
 * absolute value too), ties broken by name so the order is deterministic.
 */
export function topFunctions(p: NormalizedProfile, options: TopOptions): FunctionValue[] {
  const key = options.order === 'self' ? 'self' : 'total';
  const rows = [...functionValues(p, options.sampleType).values()].sort((a, b) => {
    const x = abs(a[key]);
    const y = abs(b[key]);
    if (x !== y) return x > y ? -1 : 1;
    return a.function < b.function ? -1 : a.function > b.function ? 1 : 0;
  });
  return options.limit === undefined ? rows : rows.slice(0, Math.max(0, options.limit));
}
