/** A (type, unit) pair such as `cpu`/`nanoseconds` or `inuse_space`/`bytes`. */
export interface ValueType {
  readonly type: string;
  readonly unit: string;
}

/**
 * One distinct call stack and its values, one per sample type.
 * `frames` is root-first (`frames[0]` is the outermost caller, the last entry is the leaf);
 * `values[i]` belongs to `sampleTypes[i]`.
 */
export interface Stack {
  readonly frames: readonly string[];
  readonly values: readonly bigint[];
}

/**
 * A pprof profile reduced to what stackwatch stores and queries: sample types, header
 * numbers and aggregated root-first stacks of function names. Labels, mappings, file names
 * and line numbers are dropped; every number is a bigint because pprof values are int64.
 */
export interface NormalizedProfile {
  readonly sampleTypes: readonly ValueType[];
  readonly periodType?: ValueType;
  readonly period: bigint;
  /** Start of the profile, Unix nanoseconds (0 when the producer did not say). */
  readonly timeNanos: bigint;
  readonly durationNanos: bigint;
  /** Name of the sample type viewers show by default (pprof's `default_sample_type`). */
  readonly defaultSampleType?: string;
  /** Distinct frame sequences; no two stacks have the same frames. */
  readonly stacks: readonly Stack[];
}

/** "type/unit", the way go tool pprof prints a sample type. */
export function formatValueType(t: ValueType): string {
  return `${t.type}/${t.unit}`;
}

/** "[samples/count, cpu/nanoseconds]". */
export function formatValueTypes(types: readonly ValueType[]): string {
  return `[${types.map(formatValueType).join(', ')}]`;
}
