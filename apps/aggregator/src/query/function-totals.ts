/**
 * Per-function self/total over aggregated stacks. @stackwatch/pprof's functionValues does the same
 * over one decoded profile in exact bigint; here values are plain numbers because fleet
 * aggregates are averages (gauges per instance) or per-second rates, i.e. fractional.
 */

/** One stack of an aggregate: root-first frames, its value, and on how many instances it was seen. */
export interface AggregatedStack {
  readonly frames: readonly string[];
  readonly value: number;
  readonly instances: number;
}

export interface FunctionTotal {
  readonly function: string;
  /** Value of the stacks whose leaf is the function (pprof's flat). */
  readonly self: number;
  /** Value of the stacks containing it, once per stack even when recursive (pprof's cum). */
  readonly total: number;
  /** The most instances any one stack through the function was seen on: a lower bound. */
  readonly instances: number;
}

interface Accumulator {
  self: number;
  total: number;
  instances: number;
}

export function functionTotals(stacks: readonly AggregatedStack[]): Map<string, FunctionTotal> {
  const acc = new Map<string, Accumulator>();
  const entry = (name: string): Accumulator => {
    let e = acc.get(name);
    if (!e) acc.set(name, (e = { self: 0, total: 0, instances: 0 }));
    return e;
  };
  for (const stack of stacks) {
    // Like go tool pprof, a zero value does not make its functions appear.
    if (stack.value === 0 || stack.frames.length === 0) continue;
    entry(stack.frames[stack.frames.length - 1]).self += stack.value;
    for (const name of new Set(stack.frames)) {
      const e = entry(name);
      e.total += stack.value;
      e.instances = Math.max(e.instances, stack.instances);
    }
  }
  const out = new Map<string, FunctionTotal>();
  for (const [name, e] of acc) out.set(name, { function: name, ...e });
  return out;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Functions by |self| or |total|, largest first, ties by name; at most `limit`. */
export function rankFunctions(stacks: readonly AggregatedStack[], order: 'self' | 'total', limit: number): FunctionTotal[] {
  return [...functionTotals(stacks).values()]
    .sort((a, b) => Math.abs(b[order]) - Math.abs(a[order]) || byName(a.function, b.function))
    .slice(0, limit);
}

/** Sum of the stack values: the aggregate's total. */
export function stacksTotal(stacks: readonly AggregatedStack[]): number {
  return stacks.reduce((sum, s) => sum + s.value, 0);
}
