import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether any offered token equals `expected`. Compared in constant time over digests, so neither
 * the token's length nor its prefix leaks through timing, and every candidate is compared, matching
 * or not, so the time does not depend on which one matched. Empty offers never match.
 */
export function anyTokenMatches(expected: string, offered: readonly string[]): boolean {
  const want = digest(expected);
  return offered.map((token) => token !== '' && timingSafeEqual(digest(token), want)).some(Boolean);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
