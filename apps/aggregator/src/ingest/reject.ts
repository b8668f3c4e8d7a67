/** Machine-readable reasons of a Reject; docs/aggregator.md explains each. */
export const REJECT_REASONS = ['bad_field', 'unknown_type', 'bad_time', 'invalid_pprof', 'too_large', 'cardinality'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * A message that will never be stored, and why. Thrown by validation and conversion; the stream
 * answers it with Reject{id, reason, message} and carries on with the next message.
 */
export class RejectError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'RejectError';
  }
}
