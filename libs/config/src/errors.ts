/** A configuration problem; `field` is the flag name, message says what form was expected. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Thrown by value parsers; the loader adds which field and source it came from. */
export class ValueError extends Error {
  constructor(readonly expected: string) {
    super(`expected ${expected}`);
    this.name = 'ValueError';
  }
}
