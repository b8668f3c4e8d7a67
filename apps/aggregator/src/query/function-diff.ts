import { functionTotals, type AggregatedStack } from './function-totals';

export interface ValueChange {
  readonly base: number;
  readonly current: number;
  readonly delta: number;
}

/** One function's change, on its total (cum) value, with its self (flat) change alongside. */
export interface FunctionChange extends ValueChange {
  readonly function: string;
  readonly self: ValueChange;
}

/** One side of a diff: its stacks and the factor that makes it comparable (1 / seconds / instances). */
export interface DiffSide {
  readonly stacks: readonly AggregatedStack[];
  readonly scale: number;
}

function change(base: number, current: number): ValueChange {
  return { base, current, delta: current - base };
}

/**
 * Per-function change from `base` to `current` after scaling each side, functions of either side
 * included, largest |total delta| first, then |self delta|, then name (with order `self`: |self
 * delta| first, then |total delta|). This is diffProfiles of
 * @stackwatch/pprof over fleet aggregates, whose values are already fractional averages.
 */
export function diffFunctions(base: DiffSide, current: DiffSide, order: 'self' | 'total' = 'total'): FunctionChange[] {
  for (const [name, side] of [['base', base], ['current', current]] as const) {
    if (!Number.isFinite(side.scale) || side.scale < 0) throw new RangeError(`${name} scale must be a finite number ≥ 0, got ${side.scale}`);
  }
  const before = functionTotals(base.stacks);
  const after = functionTotals(current.stacks);
  const rows: FunctionChange[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(name);
    const c = after.get(name);
    const total = change((b?.total ?? 0) * base.scale, (c?.total ?? 0) * current.scale);
    rows.push({ function: name, ...total, self: change((b?.self ?? 0) * base.scale, (c?.self ?? 0) * current.scale) });
  }
  const byTotal = (x: FunctionChange, y: FunctionChange) => Math.abs(y.delta) - Math.abs(x.delta);
  const bySelf = (x: FunctionChange, y: FunctionChange) => Math.abs(y.self.delta) - Math.abs(x.self.delta);
  const [first, second] = order === 'self' ? [bySelf, byTotal] : [byTotal, bySelf];
  return rows.sort((x, y) => first(x, y) || second(x, y) || (x.function < y.function ? -1 : x.function > y.function ? 1 : 0));
}
