import type { LoggerService } from '@nestjs/common';
import type { IngestBatch, ProfileStore } from '../store/profile-store';
import type { DataKind } from './data-message';
import { payloadBytes, rowCount } from './ingest-batch';
import type { IngestMetrics } from './ingest-metrics';
import { RejectError } from './reject';

export interface BatchWriterOptions {
  /** A write takes at most this many rows (but always at least one message). */
  readonly maxBatchRows: number;
  /** How long the first queued message waits for others to share its write. */
  readonly maxDelayMs: number;
  /** Past either bound the queue is full: streams stop reading until it has room. */
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  /** Retry delays after failed writes: exponential from initial to max, with jitter. */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export const DEFAULT_BATCH_WRITER_OPTIONS: BatchWriterOptions = {
  maxBatchRows: 20_000,
  maxDelayMs: 50,
  maxQueuedMessages: 10_000,
  maxQueuedBytes: 256 * 1024 * 1024,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
};

/** 'stored': this write committed it; 'duplicate': its id was already stored (a re-send). Both are acked. */
export type CommitOutcome = 'stored' | 'duplicate';

export type IngestLogger = Pick<LoggerService, 'log' | 'warn' | 'error'>;

interface Entry {
  readonly batch: IngestBatch;
  readonly kind: DataKind;
  readonly rows: number;
  readonly bytes: number;
  readonly resolve: (outcome: CommitOutcome) => void;
  readonly reject: (err: Error) => void;
}

/**
 * Collects accepted messages from every stream and commits them with ONE store.write() per batch
 * (up to maxBatchRows rows, or whatever arrived within maxDelayMs). Each submit() resolves only
 * after the write holding it resolved, so the caller acks after the commit. A failed write is
 * retried with backoff, forever, holding its messages (no ack, no reject); the queue is bounded,
 * and isFull()/whenRoom() let streams stop reading meanwhile (backpressure onto the agents' spools).
 * Writes never overlap: a message re-sent while its first copy is being written cannot race it.
 */
export class BatchWriter {
  private readonly queue: Entry[] = [];
  private queuedRows = 0;
  private queuedBytes = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private writing = false;
  private failures = 0;
  private lastFailure = '';
  private closing = false;
  private cutRetrySleep: (() => void) | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  /** Called after every write attempt: what close() waits on. */
  private readonly progressWaiters = new Set<() => void>();
  private closePromise: Promise<void> | undefined;

  constructor(
    private readonly store: ProfileStore,
    private readonly metrics: IngestMetrics,
    private readonly logger: IngestLogger,
    private readonly options: BatchWriterOptions = DEFAULT_BATCH_WRITER_OPTIONS,
    /** Uniform in [0, 1), for the retry jitter. */
    private readonly random: () => number = Math.random,
  ) {}

  /** Queues a message's rows; resolves once they are committed (or found already stored). */
  submit(batch: IngestBatch, kind: DataKind): Promise<CommitOutcome> {
    if (this.closing) return Promise.reject(new Error('the aggregator is stopping'));
    return new Promise((resolve, reject) => {
      const entry: Entry = { batch, kind, rows: rowCount(batch), bytes: payloadBytes(batch), resolve, reject };
      this.queue.push(entry);
      this.queuedRows += entry.rows;
      this.queuedBytes += entry.bytes;
      this.metrics.queuedMessages.set(this.queue.length);
      this.schedule();
    });
  }

  /** True while the queue is over a bound: readers should pause. */
  isFull(): boolean {
    return this.queue.length >= this.options.maxQueuedMessages || this.queuedBytes >= this.options.maxQueuedBytes;
  }

  /** Resolves once the queue has room again (at once when it has). */
  whenRoom(): Promise<void> {
    if (!this.isFull() || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Messages waiting for their commit. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Refuses new messages and commits what is queued, retrying until `deadlineMs` passes; what is
   * still uncommitted then is given up (its submit() rejects, so it is never acked and the agents
   * re-send it elsewhere). Runs once; later calls wait for the first.
   */
  close(deadlineMs: number): Promise<void> {
    this.closePromise ??= this.drain(deadlineMs);
    return this.closePromise;
  }

  private async drain(deadlineMs: number): Promise<void> {
    this.closing = true;
    this.releaseRoomWaiters();
    // Skip the batching delay and any retry sleep: flush now.
    this.cutRetrySleep?.();
    this.schedule();
    await new Promise<void>((resolve) => {
      let timedOut = false;
      const check = () => {
        if (this.queue.length > 0 && !timedOut) return;
        clearTimeout(timer);
        this.progressWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        check();
      }, deadlineMs);
      this.progressWaiters.add(check);
      check();
    });
    const left = this.queue.splice(0);
    if (left.length > 0) this.logger.warn(`stopping with ${left.length} message(s) not committed; agents will re-send them`);
    for (const entry of left) entry.reject(new Error('the aggregator stopped before the store committed it'));
    this.queuedRows = this.queuedBytes = 0;
    this.metrics.queuedMessages.set(0);
  }

  private schedule(): void {
    if (this.writing || this.queue.length === 0) return;
    if (this.closing || this.queuedRows >= this.options.maxBatchRows) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
      void this.flush();
      return;
    }
    if (!this.delayTimer) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = undefined;
        void this.flush();
      }, this.options.maxDelayMs);
      this.delayTimer.unref();
    }
  }

  /** One write of the queue's head; never rejects. */
  private async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const taken = this.head();
    try {
      const fresh = await this.write(uniqueBatches(taken));
      this.committed(taken, fresh);
    } catch (err) {
      if (isInputError(err)) await this.isolate(taken);
      else await this.failed(err as Error);
    } finally {
      this.writing = false;
      for (const waiter of [...this.progressWaiters]) waiter();
      this.schedule();
    }
  }

  private async write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>> {
    const started = performance.now();
    try {
      return await this.store.write(batches);
    } finally {
      this.metrics.writeSeconds.observe((performance.now() - started) / 1000);
    }
  }

  /**
   * The store refused a write's input (it checks every field before any SQL): one message in it
   * would block the queue forever. Each message is written alone instead; the ones refused again
   * are rejected (never stored), the others committed as usual.
   */
  private async isolate(taken: readonly Entry[]): Promise<void> {
    const byId = new Map<string, Entry[]>();
    for (const entry of taken) byId.set(entry.batch.messageId, [...(byId.get(entry.batch.messageId) ?? []), entry]);
    for (const entries of byId.values()) {
      try {
        this.committed(entries, await this.write([entries[0].batch]));
      } catch (err) {
        if (!isInputError(err)) return this.failed(err as Error);
        this.refused(entries, (err as Error).message);
      }
    }
  }

  /** The oldest messages up to maxBatchRows rows; at least one, however large. */
  private head(): Entry[] {
    let rows = 0;
    let count = 0;
    for (const entry of this.queue) {
      if (count > 0 && rows + entry.rows > this.options.maxBatchRows) break;
      rows += entry.rows;
      count++;
    }
    return this.queue.slice(0, count);
  }

  private committed(entries: readonly Entry[], fresh: ReadonlySet<string>): void {
    this.dequeue(entries);
    this.metrics.batchMessages.observe(entries.length);
    if (this.failures > 0) this.logger.log(`store writes succeed again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
    this.lastFailure = '';

    const counted = new Set<string>();
    for (const entry of entries) {
      const id = entry.batch.messageId;
      const stored = fresh.has(id);
      // A message queued twice (re-sent before its first copy was written) is counted once.
      if (stored && !counted.has(id)) {
        counted.add(id);
        this.metrics.ingested.inc({ kind: entry.kind });
        this.metrics.samples.inc(entry.batch.samples?.length ?? 0);
        for (const profile of entry.batch.profiles ?? []) this.metrics.profiles.inc({ type: profile.type });
      } else if (!stored) {
        this.metrics.duplicates.inc({ kind: entry.kind });
      }
      entry.resolve(stored ? 'stored' : 'duplicate');
    }
  }

  private refused(entries: readonly Entry[], message: string): void {
    this.dequeue(entries);
    for (const entry of entries) entry.reject(new RejectError('bad_field', `the store refused it: ${message}`));
  }

  /** Takes settled entries out of the queue (they are at its head, in order, or among it when isolated). */
  private dequeue(entries: readonly Entry[]): void {
    const settled = new Set(entries);
    const kept = this.queue.filter((entry) => !settled.has(entry));
    this.queue.splice(0, this.queue.length, ...kept);
    for (const entry of entries) {
      this.queuedRows -= entry.rows;
      this.queuedBytes -= entry.bytes;
    }
    this.metrics.queuedMessages.set(this.queue.length);
    if (!this.isFull()) this.releaseRoomWaiters();
  }

  private async failed(err: Error): Promise<void> {
    this.failures++;
    this.metrics.storeErrors.inc();
    const delayMs = this.retryDelay();
    // One line per distinct failure: an outage repeats the same error on every attempt.
    if (err.message !== this.lastFailure) {
      this.logger.warn(`store write of ${this.queue.length} queued message(s) failed: ${err.message}; retrying with backoff, nothing is acked meanwhile`);
      this.lastFailure = err.message;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delayMs);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.cutRetrySleep = done;
    });
    this.cutRetrySleep = undefined;
  }

  private retryDelay(): number {
    const cap = Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** Math.min(this.failures - 1, 30));
    // Half fixed, half jitter: aggregators sharing a store do not retry in lockstep.
    return Math.floor(cap / 2 + (this.random() * cap) / 2);
  }

  private releaseRoomWaiters(): void {
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }
}

/** The store's own check of its input (store-input.ts) failed: retrying cannot help. */
function isInputError(err: unknown): boolean {
  return err instanceof Error && err.name === 'StoreInputError';
}

/** One batch per message id: the store sees each id once per write. */
function uniqueBatches(entries: readonly Entry[]): IngestBatch[] {
  const seen = new Set<string>();
  const batches: IngestBatch[] = [];
  for (const { batch } of entries) {
    if (seen.has(batch.messageId)) continue;
    seen.add(batch.messageId);
    batches.push(batch);
  }
  return batches;
}
