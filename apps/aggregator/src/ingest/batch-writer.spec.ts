import { waitFor } from '@stackwatch/testing';
import { Registry } from 'prom-client';
import type { IngestBatch, ProfileStore } from '../store/profile-store';
import { BatchWriter, type BatchWriterOptions, type CommitOutcome } from './batch-writer';
import { IngestMetrics } from './ingest-metrics';
import { RejectError } from './reject';

/**
 * The writer against a scripted ProfileStore: these tests are about when writes happen, what they
 * hold and when callers hear back, which needs a store that can be held, failed and inspected at
 * will. The real adapters are exercised through the same writer in test/integration/aggregator.
 */
class ScriptedStore {
  readonly writes: string[][] = [];
  readonly stored = new Set<string>();
  failure: Error | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>> {
    this.writes.push(batches.map((b) => b.messageId));
    await this.gate;
    if (this.failure) throw this.failure;
    const refused = batches.find((b) => b.messageId.startsWith('bad'));
    if (refused) throw Object.assign(new Error(`batches[0].metrics[0].name: must not be empty (${refused.messageId})`), { name: 'StoreInputError' });
    const fresh = new Set(batches.map((b) => b.messageId).filter((id) => !this.stored.has(id)));
    for (const id of fresh) this.stored.add(id);
    return fresh;
  }
}

const OPTIONS: BatchWriterOptions = { maxBatchRows: 100, maxDelayMs: 20, maxQueuedMessages: 1000, maxQueuedBytes: 1 << 20, retryInitialMs: 10, retryMaxMs: 40 };

/** A metrics message of `points` points: 1 + points rows. */
const batch = (id: string, points = 1): IngestBatch => ({
  messageId: id,
  timeMs: 1_700_000_000_000,
  metrics: Array.from({ length: points }, () => ({ service: 's', instance: 'i', timeMs: 1_700_000_000_000, name: 'cpu', value: 1 })),
});

/** Sum of a metric's series matching `labels`; `series` picks a histogram's _sum or _count. */
async function counter(registry: Registry, name: string, labels: Record<string, string> = {}, series = name): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const values = (await metric.get()).values.filter(
    (v) => ((v as { metricName?: string }).metricName ?? name) === series && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return values.reduce((sum, v) => sum + v.value, 0);
}

describe('BatchWriter', () => {
  let store: ScriptedStore;
  let registry: Registry;
  let writers: BatchWriter[];
  const warnings: string[] = [];
  const logger = { log: () => undefined, warn: (line: string) => warnings.push(line), error: (line: string) => warnings.push(line) };

  beforeEach(() => {
    store = new ScriptedStore();
    registry = new Registry();
    writers = [];
    warnings.length = 0;
  });

  afterEach(async () => {
    store.failure = undefined;
    store.release();
    await Promise.all(writers.map((w) => w.close(1_000)));
  });

  function writer(options: Partial<BatchWriterOptions> = {}): BatchWriter {
    const created = new BatchWriter(store as unknown as ProfileStore, new IngestMetrics(registry), logger, { ...OPTIONS, ...options }, () => 0.5);
    writers.push(created);
    return created;
  }

  /** Records when each submit settles. */
  function track(promise: Promise<CommitOutcome>): { outcome?: CommitOutcome; error?: Error } {
    const state: { outcome?: CommitOutcome; error?: Error } = {};
    promise.then(
      (outcome) => (state.outcome = outcome),
      (error: Error) => (state.error = error),
    );
    return state;
  }

  it('commits what arrives within the delay with one store write, and resolves each only after it', async () => {
    const w = writer();
    store.hold();
    const results = ['a', 'b', 'c', 'd', 'e'].map((id) => track(w.submit(batch(id), 'metrics')));
    await waitFor('the write to start', () => store.writes.length === 1, { timeoutMs: 2_000 });
    expect(store.writes).toEqual([['a', 'b', 'c', 'd', 'e']]);
    // The write has not returned: nothing may be acknowledged yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(results.every((r) => r.outcome === undefined)).toBe(true);
    store.release();
    await waitFor('every submit to resolve', () => results.every((r) => r.outcome === 'stored'), { timeoutMs: 2_000 });
    expect(await counter(registry, 'stackwatch_aggregator_messages_ingested_total', { kind: 'metrics' })).toBe(5);
    expect(await counter(registry, 'stackwatch_aggregator_batch_messages', {}, 'stackwatch_aggregator_batch_messages_sum')).toBe(5);
    expect(await counter(registry, 'stackwatch_aggregator_batch_messages', {}, 'stackwatch_aggregator_batch_messages_count')).toBe(1);
  });

  it('writes at once when the queue holds maxBatchRows rows, and never more than that per write', async () => {
    const w = writer({ maxBatchRows: 10, maxDelayMs: 60_000 });
    // 4 rows each: two fit a write of 10 rows.
    const results = ['a', 'b', 'c', 'd', 'e'].map((id) => w.submit(batch(id, 3), 'metrics'));
    await Promise.all(results.slice(0, 4));
    expect(store.writes).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    // The fifth waits for the delay (a minute here) or for rows enough to fill a write.
    expect(store.writes).toHaveLength(2);
    await Promise.all([w.submit(batch('f', 5), 'metrics'), results[4]]);
    expect(store.writes.at(-1)).toEqual(['e', 'f']);
  });

  it('writes one message larger than maxBatchRows alone', async () => {
    const w = writer({ maxBatchRows: 10 });
    await Promise.all([w.submit(batch('huge', 50), 'metrics'), w.submit(batch('small'), 'metrics')]);
    expect(store.writes).toEqual([['huge'], ['small']]);
  });

  it('acks ids the store already holds as duplicates, and sends an id queued twice once', async () => {
    const w = writer();
    store.stored.add('old');
    const outcomes = await Promise.all([w.submit(batch('old'), 'metrics'), w.submit(batch('new'), 'metrics'), w.submit(batch('new'), 'metrics')]);
    expect(outcomes).toEqual(['duplicate', 'stored', 'stored']);
    expect(store.writes).toEqual([['old', 'new']]);
    expect(await counter(registry, 'stackwatch_aggregator_messages_duplicate_total')).toBe(1);
    expect(await counter(registry, 'stackwatch_aggregator_messages_ingested_total')).toBe(1);
  });

  it('keeps failed messages unacknowledged and retries them with backoff until the store is back', async () => {
    const w = writer();
    store.failure = new Error('connect ECONNREFUSED 127.0.0.1:8123');
    const results = ['a', 'b'].map((id) => track(w.submit(batch(id), 'metrics')));
    await waitFor('a few failed attempts', () => store.writes.length >= 3, { timeoutMs: 2_000 });
    expect(results.every((r) => r.outcome === undefined && r.error === undefined)).toBe(true);
    expect(await counter(registry, 'stackwatch_aggregator_store_errors_total')).toBeGreaterThanOrEqual(3);
    // One warning per distinct failure, not one per attempt.
    expect(warnings.filter((l) => l.includes('ECONNREFUSED'))).toHaveLength(1);
    // New messages queue behind the failing head.
    const late = track(w.submit(batch('c'), 'metrics'));

    store.failure = undefined;
    await waitFor('every submit to resolve', () => [...results, late].every((r) => r.outcome === 'stored'), { timeoutMs: 2_000 });
    expect(store.stored).toEqual(new Set(['a', 'b', 'c']));
    expect(store.writes.every((ids) => ids[0] === 'a')).toBe(true);
  });

  it('is full past its bounds and tells waiters when it has room again', async () => {
    const w = writer({ maxQueuedMessages: 3 });
    store.hold();
    const pending = ['a', 'b', 'c'].map((id) => w.submit(batch(id), 'metrics'));
    expect(w.isFull()).toBe(true);
    let room = false;
    void w.whenRoom().then(() => (room = true));
    await waitFor('the write to start', () => store.writes.length === 1, { timeoutMs: 2_000 });
    expect(room).toBe(false);
    store.release();
    await Promise.all(pending);
    await waitFor('room', () => room, { timeoutMs: 1_000 });
    expect(w.isFull()).toBe(false);
    expect(await w.whenRoom()).toBeUndefined();
  });

  it('bounds the queue by bytes too', () => {
    const w = writer({ maxQueuedBytes: 100 });
    store.hold();
    const profile = { ...batch('p'), profiles: [{ pprofGzip: new Uint8Array(100) }] } as unknown as IngestBatch;
    void w.submit(profile, 'profile');
    expect(w.isFull()).toBe(true);
  });

  it('rejects the message the store refuses as invalid and commits the others of its write', async () => {
    const w = writer();
    const results = ['a', 'bad-1', 'b'].map((id) => w.submit(batch(id), 'metrics'));
    await expect(results[0]).resolves.toBe('stored');
    await expect(results[2]).resolves.toBe('stored');
    const refused = await results[1].catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RejectError);
    expect((refused as RejectError).reason).toBe('bad_field');
    expect((refused as RejectError).message).toBe('the store refused it: batches[0].metrics[0].name: must not be empty (bad-1)');
    expect(store.stored).toEqual(new Set(['a', 'b']));
  });

  it('on close, commits what is queued at once and refuses new messages', async () => {
    const w = writer({ maxDelayMs: 60_000 });
    const queued = w.submit(batch('a'), 'metrics');
    const started = Date.now();
    await w.close(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(queued).resolves.toBe('stored');
    await expect(w.submit(batch('b'), 'metrics')).rejects.toThrow('the aggregator is stopping');
  });

  it('on close with the store down, gives up at the deadline without acknowledging', async () => {
    const w = writer();
    store.failure = new Error('store down');
    const queued = track(w.submit(batch('a'), 'metrics'));
    await waitFor('a failed attempt', () => store.writes.length >= 1, { timeoutMs: 2_000 });
    const started = Date.now();
    await w.close(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor('the submit to settle', () => queued.error !== undefined, { timeoutMs: 1_000 });
    expect(queued.outcome).toBeUndefined();
    expect(queued.error!.message).toBe('the aggregator stopped before the store committed it');
    expect(w.size).toBe(0);
  });
});
