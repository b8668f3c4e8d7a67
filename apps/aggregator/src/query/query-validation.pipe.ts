import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** One line per problem, each naming its parameter: `unknown parameter "foo"`, `parameter "limit": limit must be an integer`. */
export function describeValidationErrors(errors: readonly ValidationError[]): string {
  const lines: string[] = [];
  for (const error of errors) {
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation !== undefined) {
      lines.push(`unknown parameter "${error.property}"`);
      continue;
    }
    const problems = Object.values(constraints);
    lines.push(`parameter "${error.property}": ${problems.length > 0 ? problems.join(', ') : 'is invalid'}`);
  }
  return lines.join('; ');
}

/**
 * Query strings against the endpoint's DTO: unknown parameters are refused (a typo such as
 * `servce=` would otherwise silently widen the query), values are converted by the DTO's own
 * transforms only, and the 400 names every parameter at fault.
 */
export function queryValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors)),
  });
}
