/** A target that did not answer, or answered something that is not what a Go pprof server serves. */
export class TargetUnavailableError extends Error {
  override name = 'TargetUnavailableError';

  constructor(
    /** The target's key (its URL origin). */
    readonly target: string,
    /** What happened, e.g. "connection refused", "HTTP 404", "not a pprof index: …". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${reason}`, options);
  }
}
