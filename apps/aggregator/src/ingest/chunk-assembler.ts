import type { Profile__Output } from '@stackwatch/contract';
import { INGEST_LIMITS } from './ingest-limits';
import { RejectError } from './reject';

export type ChunkResult =
  /** More chunks to come. */
  | { readonly status: 'partial' }
  /** The last chunk arrived: the profile as if it had been sent whole. */
  | { readonly status: 'complete'; readonly profile: Profile__Output }
  /** The profile will never be stored; answer its id with a Reject (once). */
  | { readonly status: 'rejected'; readonly error: RejectError }
  /** A later chunk of a profile already rejected: already answered, nothing to do. */
  | { readonly status: 'ignored' };

export interface AssemblerLimits {
  readonly maxProfileBytes: number;
  readonly maxBytes: number;
  readonly maxAssemblies: number;
}

interface Assembly {
  readonly first: Profile__Output;
  readonly parts: Map<number, Buffer>;
  bytes: number;
}

/** Rejected ids remembered per stream so their remaining chunks are skipped, not re-rejected. */
const REMEMBERED_REJECTS = 64;

/**
 * Reassembles the chunked profiles of ONE stream (chunks never span streams: after a reconnect the
 * agent re-sends every chunk). Memory is bounded: a profile whose total_bytes is over the limit is
 * rejected at its first chunk, and the stream's partial profiles together stay under `maxBytes`.
 * clear() when the stream ends drops whatever is partial.
 */
export class ChunkAssembler {
  private readonly assemblies = new Map<string, Assembly>();
  private readonly rejected = new Set<string>();
  private heldBytes = 0;

  constructor(
    private readonly limits: AssemblerLimits = {
      maxProfileBytes: INGEST_LIMITS.maxProfileBytes,
      maxBytes: INGEST_LIMITS.maxAssemblyBytesPerStream,
      maxAssemblies: INGEST_LIMITS.maxAssembliesPerStream,
    },
  ) {}

  /** Bytes of partial profiles held now. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Adds one chunk (chunk_count > 1). */
  add(chunk: Profile__Output): ChunkResult {
    const { id } = chunk;
    if (this.rejected.has(id)) return { status: 'ignored' };
    try {
      return this.accept(chunk);
    } catch (err) {
      if (!(err instanceof RejectError)) throw err;
      this.markRejected(id);
      return { status: 'rejected', error: err };
    }
  }

  /** True when `id` was rejected on this stream: its other chunks are skipped. */
  wasRejected(id: string): boolean {
    return this.rejected.has(id);
  }

  /** A chunk failed validation: its profile is dropped and its other chunks skipped. */
  markRejected(id: string): void {
    this.drop(id);
    this.rememberRejected(id);
  }

  /** The stream ended: partial profiles will be re-sent whole on the next stream. */
  clear(): void {
    this.assemblies.clear();
    this.rejected.clear();
    this.heldBytes = 0;
  }

  private accept(chunk: Profile__Output): ChunkResult {
    const { id, chunk_index: index, chunk_count: count, total_bytes: total } = chunk;
    if (!Number.isSafeInteger(total) || total <= 0) throw new RejectError('bad_field', `profile.total_bytes ${total} must be positive in a chunked profile`);
    if (total > this.limits.maxProfileBytes) {
      throw new RejectError('too_large', `profile.total_bytes ${total} is more than the limit of ${this.limits.maxProfileBytes} bytes`);
    }
    if (count > total) throw new RejectError('bad_field', `profile.chunk_count ${count} is more than its total_bytes ${total}`);
    if (index >= count) throw new RejectError('bad_field', `profile.chunk_index ${index} is not below chunk_count ${count}`);

    let assembly = this.assemblies.get(id);
    if (!assembly) {
      if (this.assemblies.size >= this.limits.maxAssemblies) {
        throw new RejectError('too_large', `more than ${this.limits.maxAssemblies} chunked profiles in progress on one stream`);
      }
      assembly = { first: chunk, parts: new Map(), bytes: 0 };
      this.assemblies.set(id, assembly);
    } else if (count !== assembly.first.chunk_count || total !== assembly.first.total_bytes) {
      throw new RejectError('bad_field', `profile.chunk_count or total_bytes of chunk ${index} differ from the first chunk's`);
    }

    const replaced = assembly.parts.get(index)?.length ?? 0;
    const grown = chunk.pprof_gzip.length - replaced;
    if (assembly.bytes + grown > total) {
      throw new RejectError('bad_field', `profile chunks hold more than total_bytes ${total}`);
    }
    if (this.heldBytes + grown > this.limits.maxBytes) {
      throw new RejectError('too_large', `partial chunked profiles on this stream would hold more than ${this.limits.maxBytes} bytes`);
    }
    assembly.parts.set(index, chunk.pprof_gzip);
    assembly.bytes += grown;
    this.heldBytes += grown;
    if (assembly.parts.size < count) return { status: 'partial' };

    this.drop(id);
    if (assembly.bytes !== total) {
      throw new RejectError('bad_field', `profile.total_bytes is ${total} but its ${count} chunks hold ${assembly.bytes}`);
    }
    const parts = Array.from({ length: count }, (_, i) => assembly.parts.get(i)!);
    return { status: 'complete', profile: { ...assembly.first, pprof_gzip: Buffer.concat(parts, total), chunk_index: 0, chunk_count: 0, total_bytes: 0 } };
  }

  private drop(id: string): void {
    const assembly = this.assemblies.get(id);
    if (!assembly) return;
    this.heldBytes -= assembly.bytes;
    this.assemblies.delete(id);
  }

  private rememberRejected(id: string): void {
    this.rejected.add(id);
    // Sets iterate in insertion order: the oldest id goes first.
    if (this.rejected.size > REMEMBERED_REJECTS) this.rejected.delete(this.rejected.values().next().value!);
  }
}
