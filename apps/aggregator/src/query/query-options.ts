/** Injection token of the QueryModule's resolved options. */
export const QUERY_OPTIONS = Symbol('QUERY_OPTIONS');

export interface QueryOptions {
  /** The longest `from`–`to` range a request may ask for: the store's retention. */
  readonly maxRangeMs: number;
  /** Distinct stacks one aggregate reads at most (largest first); the rest is left out and reported. */
  readonly maxStacks: number;
  /** The clock "now" and the default window are read from (tests pin it). */
  readonly now: () => number;
}

export const DEFAULT_QUERY_OPTIONS: QueryOptions = {
  maxRangeMs: 31 * 86_400_000,
  maxStacks: 50_000,
  now: () => Date.now(),
};

export function resolveQueryOptions(partial: Partial<QueryOptions> = {}): QueryOptions {
  const options = { ...DEFAULT_QUERY_OPTIONS, ...partial };
  if (!Number.isInteger(options.maxRangeMs) || options.maxRangeMs <= 0) {
    throw new RangeError(`maxRangeMs must be a positive integer, got ${options.maxRangeMs}`);
  }
  if (!Number.isInteger(options.maxStacks) || options.maxStacks <= 0) {
    throw new RangeError(`maxStacks must be a positive integer, got ${options.maxStacks}`);
  }
  return Object.freeze(options);
}
