import { randomBytes } from 'node:crypto';
import type { AgentMessage, AgentMessage__Output } from '@stackwatch/contract';
import { decodeAgentMessage, encodeAgentMessage } from './agent-message';
import { CHUNK_HEADROOM_BYTES, splitForWire } from './chunking';

const MiB = 1024 * 1024;

/** A message as the spool hands it back: decoded, with its encoded size. */
function spooled(message: AgentMessage): { message: AgentMessage__Output; bytes: number } {
  const encoded = encodeAgentMessage(message);
  return { message: decodeAgentMessage(encoded), bytes: encoded.length };
}

function profile(pprof: Buffer): AgentMessage {
  return {
    profile: {
      id: 'p-1',
      target: { service: 'checkout', instance: 'pod-7', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8', url: 'http://10.0.0.7:6060/' },
      type: 'cpu',
      pprof_gzip: pprof,
      start_unix_ms: 1_700_000_000_000,
      duration_ms: 10_000,
      trigger: { rule: { rule: 'cpu', value: 93, average: 20, threshold: 80, event_id: 'e-1' } },
    },
  };
}

describe('splitForWire', () => {
  it('sends a message that fits as it is', () => {
    const { message, bytes } = spooled(profile(randomBytes(1000)));
    expect(splitForWire(message, bytes, MiB)).toEqual([message]);
  });

  it('cuts a 10 MiB profile into chunks under a 1 MiB limit that reassemble byte-identical', () => {
    const pprof = randomBytes(10 * MiB);
    const { message, bytes } = spooled(profile(pprof));
    const chunks = splitForWire(message, bytes, MiB)!;

    expect(chunks).toHaveLength(11);
    chunks.forEach((chunk, index) => {
      expect(encodeAgentMessage(chunk).length).toBeLessThanOrEqual(MiB - CHUNK_HEADROOM_BYTES);
      const { pprof_gzip, chunk_index, chunk_count, total_bytes, ...metadata } = chunk.profile!;
      const { pprof_gzip: _whole, chunk_index: _i, chunk_count: _n, total_bytes: _t, ...original } = message.profile!;
      expect(metadata).toEqual(original);
      expect([chunk_index, chunk_count, total_bytes]).toEqual([index, 11, pprof.length]);
      expect((pprof_gzip as Buffer).length).toBeGreaterThan(0);
    });
    const reassembled = Buffer.concat(chunks.map((c) => c.profile!.pprof_gzip as Buffer));
    expect(reassembled.equals(pprof)).toBe(true);
  });

  it('chunks a profile just over the budget in two, and leaves one just under alone', () => {
    const limit = 64 * 1024;
    const overhead = spooled(profile(Buffer.alloc(0))).bytes;
    // Find the largest payload that still fits the budget (the length varint makes it inexact).
    let size = limit - CHUNK_HEADROOM_BYTES - overhead - 16;
    while (spooled(profile(Buffer.alloc(size + 1))).bytes <= limit - CHUNK_HEADROOM_BYTES) size++;
    const under = spooled(profile(randomBytes(size)));
    expect(splitForWire(under.message, under.bytes, limit)).toHaveLength(1);
    const over = spooled(profile(randomBytes(size + 1)));
    const chunks = splitForWire(over.message, over.bytes, limit)!;
    expect(chunks).toHaveLength(2);
    for (const chunk of chunks) expect(encodeAgentMessage(chunk).length).toBeLessThanOrEqual(limit);
  });

  it('gives up on what cannot be cut: other messages over the limit, or a limit below the metadata', () => {
    const event = spooled({ event: { id: 'e-1', kind: 'cpu', reason: 'x'.repeat(5000) } });
    expect(splitForWire(event.message, event.bytes, 4096)).toBeUndefined();
    expect(splitForWire(event.message, event.bytes, 8192)).toHaveLength(1);
    const big = spooled(profile(randomBytes(10_000)));
    expect(splitForWire(big.message, big.bytes, CHUNK_HEADROOM_BYTES + 50)).toBeUndefined();
  });
});
