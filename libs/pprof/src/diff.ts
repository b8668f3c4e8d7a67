import { SampleTypeMismatchError } from './errors';
import { formatValueType, formatValueTypes, type NormalizedProfile } from './profile';
import { selectSampleType, type SampleTypeSelector } from './sample-type';
import { functionValues } from './top';

export interface DiffOptions {
  /** Resolved in `current` (default: its default sample type); `base` must have the same type and unit. */
  readonly sampleType?: SampleTypeSelector;
  /** Multiplies every base value, e.g. `1 / windowSeconds` or `1 / instanceCount` (default 1). */
  readonly baseScale?: number;
  /** Multiplies every current value (default 1). */
  readonly currentScale?: number;
}

/**
 * Scaled values are plain numbers: a scale is a ratio (per second, per instance), so the result
 * is fractional anyway. Above 2^53 they are rounded to the nearest double; with both scales at 1
 * the delta is computed exactly before that rounding.
 */
export interface ValueChange {
  readonly base: number;
  readonly current: number;
  readonly delta: number;
}

export interface FunctionDiff {
  readonly function: string;
  readonly self: ValueChange;
  readonly total: ValueChange;
}

function checkScale(name: string, scale: number): number {
  if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${scale}`);
  return scale;
}

/**
 * Per-function change of self and total value from `base` to `current`, functions of either
 * profile included, largest |total delta| first (then |self delta|, then name).
 */
export function diffProfiles(
  base: NormalizedProfile,
  current: NormalizedProfile,
  options: DiffOptions = {},
): FunctionDiff[] {
  const baseScale = checkScale('baseScale', options.baseScale ?? 1);
  const currentScale = checkScale('currentScale', options.currentScale ?? 1);
  const chosen = selectSampleType(current, options.sampleType);
  const baseIndex = base.sampleTypes.findIndex((t) => t.type === chosen.type && t.unit === chosen.unit);
  if (baseIndex < 0) {
    throw new SampleTypeMismatchError(
      `cannot diff ${formatValueType(chosen)}: the base profile has ${formatValueTypes(base.sampleTypes)}`,
    );
  }
  const before = functionValues(base, baseIndex);
  const after = functionValues(current, chosen.index);
  const exact = baseScale === 1 && currentScale === 1;
  const change = (b: bigint, c: bigint): ValueChange => {
    const scaledBase = Number(b) * baseScale;
    const scaledCurrent = Number(c) * currentScale;
    return { base: scaledBase, current: scaledCurrent, delta: exact ? Number(c - b) : scaledCurrent - scaledBase };
  };

  const names = new Set([...before.keys(), ...after.keys()]);
  const rows: FunctionDiff[] = [];
  for (const name of names) {
    const b = before.get(name);
    const c = after.get(name);
    rows.push({
      function: name,
      self: change(b?.self ?? 0n, c?.self ?? 0n),
      total: change(b?.total ?? 0n, c?.total ?? 0n),
    });
  }
  return rows.sort((x, y) => {
    const t = Math.abs(y.total.delta) - Math.abs(x.total.delta);
    if (t !== 0) return t;
    const s = Math.abs(y.self.delta) - Math.abs(x.self.delta);
    if (s !== 0) return s;
    return x.function < y.function ? -1 : x.function > y.function ? 1 : 0;
  });
}
