import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentMessage, AgentMessage__Output } from '@stackwatch/contract';
import type { Registry } from 'prom-client';
import { decodeAgentMessage, describeMessage, encodeAgentMessage, type DataKind } from './agent-message';
import { DropReporter } from './drop-reporter';
import { SpoolMetrics } from './ship-metrics';
import { entryFileName, frame, HEADER_BYTES, parseEntryFileName, TEMP_SUFFIX, unframe, writeDurably } from './spool-file';

/** What the spool knows about a message without reading it back. */
export interface SpoolEntry {
  /** Position in the spool: strictly increasing, also across restarts. */
  readonly seq: number;
  readonly id: string;
  readonly kind: DataKind;
  /** Size on disk (header included): what counts against maxBytes. */
  readonly bytes: number;
  /** Size of the serialized AgentMessage: what it costs on the wire unchunked. */
  readonly payloadBytes: number;
}

export interface SpoolOptions {
  /** Bound on the bytes held; past it the oldest entries are dropped. */
  readonly maxBytes: number;
  readonly registry: Registry;
  readonly log: (line: string) => void;
  /** Clock of the drop reports (tests move it). */
  readonly now?: () => number;
}

/** Holds the highest sequence number that may already be in use. */
const SEQUENCE_FILE = 'sequence';
/**
 * Sequence numbers are leased in blocks, so the lease file is rewritten once per million appends
 * rather than on every one; a crash wastes the rest of a block, which only leaves a gap.
 */
const SEQUENCE_BLOCK = 1_000_000;

/** Kinds written without fsync: frequent and small, worth less than two fsyncs each (see write()). */
const UNSYNCED_KINDS: ReadonlySet<DataKind> = new Set(['metrics', 'target_status']);
/** Payloads kept in memory after append so the shipper need not read them back; bounded. */
const RECENT_MAX_BYTES = 4 * 1024 * 1024;
const RECENT_MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * A bounded disk spool of AgentMessages: each message is one file, so `kill -9` loses at most the
 * message being written, and the messages survive agent restarts in their order.
 */
export class Spool {
  /** By id, in sequence order: appends are serialized, so insertion order is sequence order. */
  private readonly entries = new Map<string, SpoolEntry>();
  private total = 0;
  private nextSeq = 1;
  private leasedUpTo = 0;
  /** The tail of the append queue: one append at a time keeps sequence order and the bound exact. */
  private appending: Promise<unknown> = Promise.resolve();
  /** Deletions in flight, awaited by close(). */
  private readonly deleting = new Set<Promise<void>>();
  private readonly metrics: SpoolMetrics;
  private readonly drops: DropReporter;
  /** Payloads of recent appends by id, oldest first, at most RECENT_MAX_BYTES in all. */
  private readonly recent = new Map<string, Buffer>();
  private recentBytes = 0;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly options: SpoolOptions,
  ) {
    this.metrics = new SpoolMetrics(options.registry);
    this.drops = new DropReporter(options.log, 60_000, options.now);
  }

  /** Opens (creating if needed) the spool in `dir` and recovers what a previous run left there. */
  static async open(dir: string, options: SpoolOptions): Promise<Spool> {
    if (!(options.maxBytes > 0)) throw new RangeError(`spool maxBytes must be positive (got ${options.maxBytes})`);
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir, options);
    await spool.recover();
    return spool;
  }

  /**
   * Resolves once the message is durable on disk. A message whose id is already spooled is not
   * stored twice: the aggregator stores an id once anyway. One larger than the whole spool is
   * dropped and counted like any other drop.
   */
  append(message: AgentMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool is closed'));
    let kind: DataKind, id: string, payload: Buffer;
    try {
      // Validate and serialize now, so a bad message fails its caller without touching the queue.
      ({ kind, id } = describeMessage(message));
      payload = encodeAgentMessage(message);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const run = this.appending.then(() => this.write(kind, id, payload));
    this.appending = run.catch(() => undefined);
    return run;
  }

  /**
   * Entries oldest first, those after `afterSeq` only. Lazy and live: an entry appended while
   * iterating is visited too, and one removed meanwhile may still be yielded (read() then
   * answers undefined).
   */
  *pending(afterSeq = 0): IterableIterator<SpoolEntry> {
    for (const entry of this.entries.values()) {
      if (entry.seq > afterSeq) yield entry;
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): SpoolEntry | undefined {
    return this.entries.get(id);
  }

  /** The message of an entry, or undefined when it is gone (acked, dropped, or found corrupt). */
  async read(entry: SpoolEntry): Promise<AgentMessage__Output | undefined> {
    const kept = this.recent.get(entry.id);
    if (kept && this.entries.get(entry.id) === entry) return decodeAgentMessage(kept);
    let data: Buffer;
    try {
      data = await readFile(this.path(entry.seq));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return decodeAgentMessage(unframe(data));
    } catch (err) {
      // It was intact when written or recovered: the disk changed it. Nothing can repair it.
      this.options.log(`spool: dropping corrupt ${entryFileName(entry.seq)} (${entry.kind} ${entry.id}): ${(err as Error).message}`);
      await this.remove(entry.id);
      return undefined;
    }
  }

  /** Forgets a message (acked or rejected). Never throws: a file left behind is only re-sent. */
  remove(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve();
    this.forget(entry);
    return this.track(this.deleteFile(entry.seq));
  }

  /** Bytes held on disk (entries only). */
  bytes(): number {
    return this.total;
  }

  /** Messages held. */
  size(): number {
    return this.entries.size;
  }

  /** Waits for writes and deletions in progress; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.appending;
    await Promise.all(this.deleting);
    this.drops.flush();
  }

  private async write(kind: DataKind, id: string, payload: Buffer): Promise<void> {
    if (this.entries.has(id)) return;
    const data = frame(payload);
    if (data.length > this.options.maxBytes) {
      this.options.log(`spool: ${kind} ${id} is ${data.length} bytes, more than the whole spool (${this.options.maxBytes}): dropped`);
      // Its own line: it is not one of the "oldest" the periodic report speaks of.
      this.metrics.dropped.inc();
      return;
    }
    await this.makeRoom(data.length);
    const seq = await this.takeSeq();
    // Metric batches and statuses come every few seconds per target: they skip the fsyncs, so a
    // power cut (not a crash of the agent) may lose the last of them. Profiles and events are synced.
    await writeDurably(this.dir, entryFileName(seq), data, { sync: !UNSYNCED_KINDS.has(kind) });
    this.entries.set(id, { seq, id, kind, bytes: data.length, payloadBytes: payload.length });
    this.keepRecent(id, payload);
    this.total += data.length;
    this.metrics.bytes.set(this.total);
  }

  /** Drops the oldest entries until `incoming` more bytes fit under the bound. */
  private async makeRoom(incoming: number): Promise<void> {
    let dropped = 0;
    const unlinks: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      if (this.total + incoming <= this.options.maxBytes) break;
      this.forget(entry);
      unlinks.push(this.track(this.deleteFile(entry.seq)));
      dropped++;
    }
    if (dropped === 0) return;
    this.metrics.dropped.inc(dropped);
    this.drops.dropped(dropped);
    // The space must really be free before the new file takes it.
    await Promise.all(unlinks);
  }

  private async takeSeq(): Promise<number> {
    const seq = this.nextSeq++;
    if (seq > this.leasedUpTo) {
      const lease = seq + SEQUENCE_BLOCK - 1;
      await writeDurably(this.dir, SEQUENCE_FILE, `${lease}\n`);
      this.leasedUpTo = lease;
    }
    return seq;
  }

  private keepRecent(id: string, payload: Buffer): void {
    if (payload.length > RECENT_MAX_PAYLOAD_BYTES) return;
    this.recent.set(id, payload);
    this.recentBytes += payload.length;
    for (const [oldId, old] of this.recent) {
      if (this.recentBytes <= RECENT_MAX_BYTES) break;
      this.recent.delete(oldId);
      this.recentBytes -= old.length;
    }
  }

  private forget(entry: SpoolEntry): void {
    const kept = this.recent.get(entry.id);
    if (kept) {
      this.recent.delete(entry.id);
      this.recentBytes -= kept.length;
    }
    this.entries.delete(entry.id);
    this.total -= entry.bytes;
    this.metrics.bytes.set(this.total);
  }

  private async deleteFile(seq: number): Promise<void> {
    try {
      await unlink(this.path(seq));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.log(`spool: could not delete ${entryFileName(seq)}: ${(err as Error).message}`);
      }
    }
  }

  private track(work: Promise<void>): Promise<void> {
    this.deleting.add(work);
    void work.finally(() => this.deleting.delete(work));
    return work;
  }

  private path(seq: number): string {
    return join(this.dir, entryFileName(seq));
  }

  /**
   * Rebuilds the index from the directory: temp files are half-written leftovers of a crash and
   * are deleted; corrupt entries are logged and deleted; the rest is indexed in sequence order.
   */
  private async recover(): Promise<void> {
    const names = await readdir(this.dir);
    const seqs: number[] = [];
    let leftovers = 0;
    for (const name of names) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await this.deleteQuietly(name);
        leftovers++;
        continue;
      }
      const seq = parseEntryFileName(name);
      if (seq !== undefined) seqs.push(seq);
    }
    if (leftovers > 0) this.options.log(`spool: deleted ${leftovers} unfinished write(s) left by a crash`);

    seqs.sort((a, b) => a - b);
    for (const seq of seqs) await this.recoverEntry(seq);
    this.leasedUpTo = await this.readLease();
    this.nextSeq = Math.max(this.leasedUpTo, seqs.at(-1) ?? 0) + 1;
    this.metrics.bytes.set(this.total);
    if (this.entries.size > 0) this.options.log(`spool: recovered ${this.entries.size} message(s), ${this.total} bytes`);
  }

  private async recoverEntry(seq: number): Promise<void> {
    const name = entryFileName(seq);
    let data: Buffer;
    try {
      data = await readFile(join(this.dir, name));
    } catch (err) {
      // Unreadable (permissions, I/O error): left in place for an operator, not counted.
      this.options.log(`spool: skipping unreadable ${name}: ${(err as Error).message}`);
      return;
    }
    try {
      const { kind, id } = describeMessage(decodeAgentMessage(unframe(data)));
      if (this.entries.has(id)) throw new Error(`duplicate of id ${id}`);
      this.entries.set(id, { seq, id, kind, bytes: data.length, payloadBytes: data.length - HEADER_BYTES });
      this.total += data.length;
    } catch (err) {
      this.options.log(`spool: skipping corrupt ${name}: ${(err as Error).message}`);
      await this.deleteQuietly(name);
    }
  }

  /** The leased sequence high-water mark; 0 when missing or unreadable (file names still order). */
  private async readLease(): Promise<number> {
    try {
      const value = Number((await readFile(join(this.dir, SEQUENCE_FILE), 'utf8')).trim());
      if (Number.isSafeInteger(value) && value >= 0) return value;
      this.options.log(`spool: ignoring a malformed ${SEQUENCE_FILE} file`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.log(`spool: ignoring an unreadable ${SEQUENCE_FILE} file: ${(err as Error).message}`);
      }
    }
    return 0;
  }

  private async deleteQuietly(name: string): Promise<void> {
    try {
      await unlink(join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.log(`spool: could not delete ${name}: ${(err as Error).message}`);
      }
    }
  }
}
