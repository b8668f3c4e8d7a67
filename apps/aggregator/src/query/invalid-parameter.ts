import { BadRequestException } from '@nestjs/common';

/**
 * A 400 that names the query parameter at fault, e.g. `parameter "from": expected …, got "x"`.
 * It is a BadRequestException so Nest answers it without a filter; pure helpers throw it too.
 */
export class InvalidParameterError extends BadRequestException {
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`parameter "${parameter}": ${problem}`);
  }
}

/** A short, quoted echo of bad input for error messages (long input is cut). */
export function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
