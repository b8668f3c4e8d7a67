import { createHash } from 'node:crypto';
import { stackKey } from './stack-key';

/** Hashes already computed, by stack key: a fleet sends the same stacks again and again. */
const memo = new Map<string, string>();
const MEMO_ENTRIES = 65_536;

/**
 * A stable 16-hex-character id for a root-first frame sequence: the first 64 bits of SHA-256
 * over each frame's UTF-8 bytes prefixed by its byte length (4 bytes, big-endian), so
 * `["a;b"]` and `["a", "b"]` differ. Stored by the aggregator: never change the encoding.
 */
export function stackHash(frames: readonly string[]): string {
  const key = stackKey(frames);
  let hash = memo.get(key);
  if (hash === undefined) {
    hash = computeStackHash(frames);
    // Dropping everything when full is crude but bounded, and refills with what is hot.
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(key, hash);
  }
  return hash;
}

function computeStackHash(frames: readonly string[]): string {
  let size = 0;
  for (const frame of frames) size += 4 + Buffer.byteLength(frame, 'utf8');
  // One buffer, one update: per-frame updates cost more than the hashing itself.
  const input = Buffer.allocUnsafe(size);
  let at = 0;
  for (const frame of frames) {
    const length = input.write(frame, at + 4, 'utf8');
    input.writeUInt32BE(length, at);
    at += 4 + length;
  }
  return createHash('sha256').update(input).digest('hex').slice(0, 16);
}
