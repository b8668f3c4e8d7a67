import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * Whether a stream presents the aggregator's token: in its Hello (what stackwatch agents send) or
 * as `authorization: Bearer …` call metadata (what generic gRPC clients and proxies send).
 * Always true when no token is configured. Compared in constant time over digests, so neither
 * the token's length nor its prefix leaks through timing.
 */
export function presentsToken(expected: string | undefined, helloToken: string, metadata: Metadata): boolean {
  if (expected === undefined) return true;
  const offered = [helloToken];
  for (const value of metadata.get('authorization')) {
    const match = BEARER.exec(String(value));
    if (match) offered.push(match[1].trim());
  }
  const want = digest(expected);
  // Every candidate is compared, matching or not, to keep the time independent of which one matched.
  return offered.map((token) => token !== '' && timingSafeEqual(digest(token), want)).some(Boolean);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
