import type { AgentMessage, AgentMessage__Output } from '@stackwatch/contract';
import { encodeAgentMessage } from './agent-message';

/**
 * Kept free below the aggregator's limit when a profile is cut. The overhead is measured
 * exactly, so this only guards against an aggregator that counts a few bytes differently.
 */
export const CHUNK_HEADROOM_BYTES = 1024;

/** Chunk fields at their widest, so the measured overhead is an upper bound for every chunk. */
const MAX_UINT32 = 0xffff_ffff;
/**
 * Bytes a non-empty pprof_gzip adds beyond its content: its tag (1) and length varint (≤ 5 for a
 * chunk below 4 GiB), plus the growth of the profile's own length varint (≤ 4 more bytes).
 */
const BYTES_FIELD_OVERHEAD = 10;

/**
 * The messages that put one spooled message on a stream limited to `maxMessageBytes`:
 * - the message itself when it fits (profiles: with the headroom to spare);
 * - for a larger profile, chunks sharing its id and metadata, `chunk_index` 0…n−1,
 *   `chunk_count` n, `total_bytes` the whole size, each carrying the next part of pprof_gzip;
 * - undefined when it cannot be sent at all (too large and not a profile, or a limit below the
 *   profile's metadata). Such a message stays spooled: another aggregator may take it.
 *
 * `encodedBytes` is the serialized size of `message`, already known from the spool.
 */
export function splitForWire(message: AgentMessage__Output, encodedBytes: number, maxMessageBytes: number): AgentMessage[] | undefined {
  const profile = message.profile;
  if (!profile) return encodedBytes <= maxMessageBytes ? [message] : undefined;

  const budget = maxMessageBytes - CHUNK_HEADROOM_BYTES;
  if (encodedBytes <= budget) return [message];

  const whole = profile.pprof_gzip;
  const metadataBytes =
    encodeAgentMessage({
      profile: { ...profile, pprof_gzip: Buffer.alloc(0), chunk_index: MAX_UINT32, chunk_count: MAX_UINT32, total_bytes: whole.length },
    }).length + BYTES_FIELD_OVERHEAD;
  const partBytes = budget - metadataBytes;
  if (partBytes <= 0) return undefined;

  const count = Math.ceil(whole.length / partBytes);
  const chunks: AgentMessage[] = [];
  for (let index = 0; index < count; index++) {
    chunks.push({
      profile: {
        ...profile,
        // subarray: the chunks share the decoded buffer instead of copying 10 MiB again.
        pprof_gzip: whole.subarray(index * partBytes, (index + 1) * partBytes),
        chunk_index: index,
        chunk_count: count,
        total_bytes: whole.length,
      },
    });
  }
  return chunks;
}
