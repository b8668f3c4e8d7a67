import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Max, Min, ValidateBy } from 'class-validator';

/** Longest service, instance, function or id text a query may carry. */
export const MAX_TEXT_LENGTH = 1024;
/** Default and upper bound of `limit` on every list. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

/**
 * A free-text parameter (service, instance, function name…): one non-empty string without control
 * characters. Anything else is allowed: values reach SQL only as literals, so quotes and
 * backslashes simply match nothing.
 */
export function IsQueryText(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, MAX_TEXT_LENGTH),
    ValidateBy({
      name: 'isPrintableText',
      validator: { validate: isPrintableText, defaultMessage: () => '$property must not contain control characters or lone surrogates' },
    }),
  );
}

/** No C0 control characters or DEL (a newline in a name is a mistake), and well-formed UTF-16 (the stores refuse lone surrogates). */
export function isPrintableText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** An integer parameter in [min, max]: digits only ("1e3", "10.5" and "" are refused). */
export function IsIntegerParam(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    // Query values are strings; convert only plain digits so anything else fails IsInt by name.
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value)),
    IsInt({ message: '$property must be an integer' }),
    Min(min),
    Max(max),
  );
}
