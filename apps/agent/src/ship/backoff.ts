export interface BackoffOptions {
  /** Cap of the first delay. */
  readonly initialMs: number;
  /** Cap of every delay. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000 };

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial·2ⁿ)).
 * Full jitter spreads a fleet of agents that lost the same aggregator at the same moment, so they
 * do not all come back in lockstep when it returns.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    /** Uniform in [0, 1); injected by tests. */
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs (got ${options.initialMs}, ${options.maxMs})`);
    }
  }

  /** The delay before the next attempt, in whole milliseconds. */
  next(): number {
    const cap = this.cap();
    // Stop growing once the cap is reached, so 2ⁿ never overflows however long the outage.
    if (cap < this.options.maxMs) this.attempt++;
    return Math.floor(this.random() * cap);
  }

  /** After a success: the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }

  private cap(): number {
    return Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
  }
}
