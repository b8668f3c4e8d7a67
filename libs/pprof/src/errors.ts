/** The bytes given to `decodeProfile` are not a usable pprof profile; the message says why. */
export class PprofDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PprofDecodeError';
  }
}

/** Profiles whose sample types differ cannot be merged or compared value by value. */
export class SampleTypeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SampleTypeMismatchError';
  }
}
