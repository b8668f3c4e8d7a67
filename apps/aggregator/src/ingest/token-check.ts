import type { Metadata } from '@grpc/grpc-js';
import { anyTokenMatches } from '../access/token-compare';

const BEARER = /^Bearer\s+(.+)$/i;

/**
 * Whether a stream presents the aggregator's token: in its Hello (what stackwatch agents send) or
 * as `authorization: Bearer …` call metadata (what generic gRPC clients and proxies send).
 * Always true when no token is configured.
 */
export function presentsToken(expected: string | undefined, helloToken: string, metadata: Metadata): boolean {
  if (expected === undefined) return true;
  const offered = [helloToken];
  for (const value of metadata.get('authorization')) {
    const match = BEARER.exec(String(value));
    if (match) offered.push(match[1].trim());
  }
  return anyTokenMatches(expected, offered);
}
