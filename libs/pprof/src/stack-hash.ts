import { createHash } from 'node:crypto';

/**
 * A stable 16-hex-character id for a root-first frame sequence: the first 64 bits of SHA-256
 * over each frame's UTF-8 bytes prefixed by its byte length (4 bytes, big-endian), so
 * `["a;b"]` and `["a", "b"]` differ. Stored by the aggregator: never change the encoding.
 */
export function stackHash(frames: readonly string[]): string {
  const hash = createHash('sha256');
  const length = Buffer.alloc(4);
  for (const frame of frames) {
    const bytes = Buffer.from(frame, 'utf8');
    length.writeUInt32BE(bytes.length, 0);
    hash.update(length);
    hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}
