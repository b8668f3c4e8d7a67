import { randomBytes } from 'node:crypto';
import type { Profile__Output } from '@stackwatch/contract';
import fc from 'fast-check';
import { ChunkAssembler, type AssemblerLimits, type ChunkResult } from './chunk-assembler';

/** Jest's toMatchObject does not look inside Error objects: compare a plain copy. */
function outcome(result: ChunkResult): { status: string; reason?: string; message?: string } {
  return result.status === 'rejected' ? { status: 'rejected', reason: result.error.reason, message: result.error.message } : { status: result.status };
}

const LIMITS: AssemblerLimits = { maxProfileBytes: 1000, maxBytes: 1500, maxAssemblies: 2 };

function chunksOf(id: string, whole: Buffer, count: number, over: Partial<Profile__Output> = {}): Profile__Output[] {
  const size = Math.ceil(whole.length / count);
  return Array.from({ length: count }, (_, i) => ({
    id,
    target: { service: 's', instance: 'i', labels: {}, pid: 0, go_version: '', url: '' },
    type: 'cpu',
    pprof_gzip: whole.subarray(i * size, (i + 1) * size),
    start_unix_ms: 1,
    duration_ms: 0,
    trigger: { kind: 'baseline', baseline: {} },
    chunk_index: i,
    chunk_count: count,
    total_bytes: whole.length,
    ...over,
  }));
}

describe('ChunkAssembler', () => {
  it('reassembles chunks in any order into the whole profile, as if sent unchunked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 900 }), fc.integer({ min: 2, max: 8 }), fc.func(fc.integer()), (size, count, order) => {
        const whole = randomBytes(size);
        const chunks = chunksOf('p', whole, Math.min(count, size));
        const shuffled = [...chunks].sort((a, b) => order(a.chunk_index) - order(b.chunk_index) || a.chunk_index - b.chunk_index);
        const assembler = new ChunkAssembler(LIMITS);
        const results = shuffled.map((chunk) => assembler.add(chunk));
        expect(results.slice(0, -1).every((r) => r.status === 'partial')).toBe(true);
        const last = results.at(-1)!;
        expect(last.status).toBe('complete');
        if (last.status !== 'complete') return;
        expect(last.profile.pprof_gzip.equals(whole)).toBe(true);
        expect(last.profile).toMatchObject({ id: 'p', chunk_index: 0, chunk_count: 0, total_bytes: 0 });
        expect(assembler.bytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a profile whose total_bytes is over the limit at its first chunk, then skips its other chunks', () => {
    const assembler = new ChunkAssembler(LIMITS);
    const [first, second] = chunksOf('big', randomBytes(1001), 3);
    expect(outcome(assembler.add(first))).toEqual({ status: 'rejected', reason: 'too_large', message: 'profile.total_bytes 1001 is more than the limit of 1000 bytes' });
    expect(assembler.add(second)).toEqual({ status: 'ignored' });
    expect(assembler.bytes).toBe(0);
  });

  it('bounds how many chunked profiles one stream has in progress', () => {
    const assembler = new ChunkAssembler(LIMITS);
    const a = chunksOf('a', randomBytes(900), 2);
    const b = chunksOf('b', randomBytes(900), 2);
    expect(assembler.add(a[0]).status).toBe('partial');
    expect(assembler.add(b[0]).status).toBe('partial');
    expect(assembler.bytes).toBe(900);
    const c = chunksOf('c', randomBytes(900), 2);
    expect(outcome(assembler.add(c[0]))).toEqual({ status: 'rejected', reason: 'too_large', message: 'more than 2 chunked profiles in progress on one stream' });
    expect(assembler.add(a[1]).status).toBe('complete');
    expect(assembler.bytes).toBe(450);
    // A slot is free again.
    expect(assembler.add(chunksOf('d', randomBytes(100), 2)[0]).status).toBe('partial');
  });

  it('bounds the bytes one stream holds across its partial profiles', () => {
    const assembler = new ChunkAssembler({ ...LIMITS, maxAssemblies: 10 });
    expect(assembler.add(chunksOf('a', randomBytes(1000), 2)[0]).status).toBe('partial');
    expect(assembler.add(chunksOf('b', randomBytes(1000), 2)[0]).status).toBe('partial');
    expect(assembler.add(chunksOf('c', randomBytes(900), 2)[0]).status).toBe('partial');
    expect(assembler.bytes).toBe(1450);
    expect(outcome(assembler.add(chunksOf('d', randomBytes(200), 2)[0]))).toEqual({
      status: 'rejected',
      reason: 'too_large',
      message: 'partial chunked profiles on this stream would hold more than 1500 bytes',
    });
    expect(assembler.bytes).toBe(1450);
  });

  it('rejects chunks that disagree with the first one or with total_bytes', () => {
    const assembler = new ChunkAssembler(LIMITS);
    const chunks = chunksOf('x', randomBytes(100), 4);
    assembler.add(chunks[0]);
    expect(outcome(assembler.add({ ...chunks[1], chunk_count: 5 }))).toMatchObject({ status: 'rejected', reason: 'bad_field', message: /differ from the first chunk's/ });

    const fresh = new ChunkAssembler(LIMITS);
    expect(outcome(fresh.add({ ...chunks[0], chunk_index: 4 }))).toMatchObject({ status: 'rejected', message: 'profile.chunk_index 4 is not below chunk_count 4' });
    expect(outcome(fresh.add({ ...chunksOf('y', randomBytes(10), 2)[0], total_bytes: 0 }))).toMatchObject({ status: 'rejected', message: 'profile.total_bytes 0 must be positive in a chunked profile' });
    const short = chunksOf('z', randomBytes(100), 2, { total_bytes: 120 });
    fresh.add(short[0]);
    expect(outcome(fresh.add(short[1]))).toMatchObject({ status: 'rejected', reason: 'bad_field', message: 'profile.total_bytes is 120 but its 2 chunks hold 100' });
    const long = chunksOf('w', randomBytes(100), 2, { total_bytes: 60 });
    fresh.add(long[0]);
    expect(outcome(fresh.add(long[1]))).toMatchObject({ status: 'rejected', message: 'profile chunks hold more than total_bytes 60' });
    expect(fresh.bytes).toBe(0);
  });

  it('drops every partial profile on clear() (the stream ended)', () => {
    const assembler = new ChunkAssembler(LIMITS);
    const chunks = chunksOf('p', randomBytes(300), 3);
    assembler.add(chunks[0]);
    assembler.add(chunks[1]);
    expect(assembler.bytes).toBe(200);
    assembler.clear();
    expect(assembler.bytes).toBe(0);
    // The last chunk alone does not complete anything now.
    expect(assembler.add(chunks[2]).status).toBe('partial');
  });
});
