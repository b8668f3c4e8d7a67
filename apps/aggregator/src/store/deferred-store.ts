import type {
  EventFilter,
  EventRecord,
  IngestBatch,
  InstanceSummary,
  InstanceTotal,
  MetricSeries,
  MetricSeriesFilter,
  ProfileFilter,
  ProfileMeta,
  ProfileRecord,
  ProfileStore,
  SampleFilter,
  ServiceSummary,
  StackTotal,
  TimeRange,
} from './profile-store';

/** A call made before the store could be opened; the message says why it is not open yet. */
export class StoreNotOpenError extends Error {
  override name = 'StoreNotOpenError';
}

export interface DeferredStoreOptions {
  readonly log: (line: string) => void;
  /** First pause between attempts; doubles up to maxDelayMs. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * A ProfileStore opened in the background. An aggregator started while its ClickHouse is still
 * unreachable (both restarted together, a rollout) comes up — HTTP and gRPC serve, /readyz says
 * why it is not ready, agents keep spooling — and keeps trying to open the store and apply its
 * schema, with backoff, until it answers. Until then every call rejects with StoreNotOpenError,
 * which ingest treats like any store outage (no acks, retried).
 */
export class DeferredStore implements ProfileStore {
  private store: ProfileStore | undefined;
  private problem = 'opening';
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly opening: Promise<void>;

  constructor(
    open: () => Promise<ProfileStore>,
    private readonly options: DeferredStoreOptions,
  ) {
    this.opening = this.openLoop(open);
  }

  /** Resolves once the store is open (or the wrapper closed); for tests and start-up logs. */
  async opened(): Promise<boolean> {
    await this.opening;
    return this.store !== undefined;
  }

  private async openLoop(open: () => Promise<ProfileStore>): Promise<void> {
    const minDelay = this.options.minDelayMs ?? 500;
    const maxDelay = this.options.maxDelayMs ?? 10_000;
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const store = await open();
        if (this.closed) {
          await store.close();
          return;
        }
        this.store = store;
        if (attempt > 0) this.options.log(`store opened after ${attempt + 1} attempts`);
        return;
      } catch (err) {
        const message = (err as Error).message;
        // Said once per distinct problem, not on every retry.
        if (message !== this.problem) this.options.log(`store not open yet (retrying): ${message}`);
        this.problem = message;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(maxDelay, minDelay * 2 ** attempt));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private get open(): ProfileStore {
    if (this.store) return this.store;
    throw new StoreNotOpenError(`the store is not open yet: ${this.problem}`);
  }

  async init(): Promise<void> {
    return this.open.init();
  }
  async ping(): Promise<void> {
    return this.open.ping();
  }
  async write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>> {
    return this.open.write(batches);
  }
  async dropBefore(cutoffMs: number): Promise<readonly string[]> {
    return this.open.dropBefore(cutoffMs);
  }
  async services(range: TimeRange): Promise<readonly ServiceSummary[]> {
    return this.open.services(range);
  }
  async instances(range: TimeRange & { readonly service?: string }): Promise<readonly InstanceSummary[]> {
    return this.open.instances(range);
  }
  async events(filter: EventFilter): Promise<readonly EventRecord[]> {
    return this.open.events(filter);
  }
  async profiles(filter: ProfileFilter): Promise<readonly ProfileMeta[]> {
    return this.open.profiles(filter);
  }
  async profile(id: string, within: TimeRange): Promise<ProfileRecord | undefined> {
    return this.open.profile(id, within);
  }
  async stackTotals(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    return this.open.stackTotals(filter, limit);
  }
  async stackValues(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]> {
    return this.open.stackValues(filter, limit);
  }
  async instanceTotals(filter: SampleFilter, stackHashes?: readonly string[]): Promise<readonly InstanceTotal[]> {
    return this.open.instanceTotals(filter, stackHashes);
  }
  async stacksContaining(service: string, fn: string, range: TimeRange): Promise<readonly string[]> {
    return this.open.stacksContaining(service, fn, range);
  }
  async metricSeries(filter: MetricSeriesFilter): Promise<readonly MetricSeries[]> {
    return this.open.metricSeries(filter);
  }

  /** Stops retrying and closes the store if it was opened. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.opening;
    await this.store?.close();
  }
}
