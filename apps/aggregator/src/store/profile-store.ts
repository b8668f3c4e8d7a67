/**
 * The one storage port of the aggregator. Two adapters implement it — ClickHouse
 * (clickhouse-store.ts) and embedded DuckDB (duckdb-store.ts) — and both pass the same contract
 * suite (profile-store.contract.ts). Everything above this port (ingest, REST API) is
 * store-agnostic; everything below it speaks SQL through sql-literal.ts only.
 *
 * Time is unix milliseconds everywhere in this interface; stores keep whole seconds for samples,
 * metrics and statuses (DateTime on ClickHouse 18.16) and milliseconds where the wire has them for
 * profiles and events (as a separate `*_ms` column). Every table is partitioned by day (UTC): every
 * query filters on that day column, derived from the range it is given.
 */

/** Who sent a row: the service and instance of the target it describes. */
export interface InstanceKey {
  readonly service: string;
  readonly instance: string;
}

/** What caused a profile: a rule firing or an analysis finding (with its event), or a baseline. */
export type StoredTrigger =
  | { readonly kind: 'baseline' }
  | {
      readonly kind: 'rule';
      readonly rule: string;
      readonly value: number;
      readonly average: number;
      readonly threshold: number;
      readonly eventId: string;
    }
  | { readonly kind: 'analysis'; readonly analysis: string; readonly eventId: string };

/** One captured profile: its metadata and the original gzipped pprof bytes, kept for download. */
export interface ProfileRecord extends InstanceKey {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly pid: number;
  readonly goVersion: string;
  /** A PROFILE_TYPES value: cpu, heap, goroutine, threadcreate, mutex, block, goroutineleak. */
  readonly type: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly trigger: StoredTrigger;
  /** The profile's sample types in pprof order, e.g. [{type: 'samples', unit: 'count'}, {type: 'cpu', unit: 'nanoseconds'}]. */
  readonly sampleTypes: readonly { readonly type: string; readonly unit: string }[];
  readonly pprofGzip: Uint8Array;
}

/** A call stack, root first ("runtime.main", "main.main", "main.burnCPU"), named by its hash. */
export interface StackRecord {
  readonly service: string;
  /** libs/pprof stackHash(): 16 lowercase hex digits. */
  readonly hash: string;
  readonly frames: readonly string[];
}

/** One (profile, sample type, stack) value. */
export interface SampleRecord extends InstanceKey {
  readonly profileId: string;
  readonly profileType: string;
  readonly sampleType: string;
  /** The profile's start (ms); stored at second precision. */
  readonly timeMs: number;
  readonly stackHash: string;
  /** Integer; pprof values are int64, stored as Int64 (values beyond 2^53 are clamped by ingest). */
  readonly value: number;
}

export interface MetricRecord extends InstanceKey {
  readonly timeMs: number;
  /** A target metric: cpu_percent, memory_percent, rss_bytes, goroutines, threads, gc_heap_percent. */
  readonly name: string;
  readonly value: number;
}

export interface StoredFinding {
  readonly kind: string;
  readonly summary: string;
  readonly stacks: readonly {
    readonly frames: readonly string[];
    readonly count: number;
    readonly state: string;
    readonly createdBy: string;
  }[];
}

export interface EventRecord extends InstanceKey {
  readonly id: string;
  readonly timeMs: number;
  /** An EVENT_KINDS value: cpu, memory, gc_heap, goroutines, threads, deadlock, goroutine_leak. */
  readonly kind: string;
  readonly value: number;
  readonly average: number;
  readonly threshold: number;
  readonly reason: string;
  readonly profileIds: readonly string[];
  readonly findings: readonly StoredFinding[];
}

/** A target's state as its agent reported it (UP, DOWN, RESTARTED, DEGRADED). */
export interface StatusRecord extends InstanceKey {
  readonly timeMs: number;
  readonly state: string;
  readonly detail: string;
  readonly pid: number;
  readonly goVersion: string;
  readonly url: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Everything one accepted agent message writes. Writes are idempotent by messageId: a batch whose
 * messageId is already stored writes nothing (agents re-send what was not acknowledged).
 */
export interface IngestBatch {
  readonly messageId: string;
  /** When the message's data happened (ms): its day is the ledger row's partition. */
  readonly timeMs: number;
  readonly profiles?: readonly ProfileRecord[];
  /** Stacks the samples reference; the store writes each (service, hash, day) once. */
  readonly stacks?: readonly StackRecord[];
  readonly samples?: readonly SampleRecord[];
  readonly metrics?: readonly MetricRecord[];
  readonly events?: readonly EventRecord[];
  readonly statuses?: readonly StatusRecord[];
}

/** A closed-open time range [fromMs, toMs). */
export interface TimeRange {
  readonly fromMs: number;
  readonly toMs: number;
}

export interface InstanceSummary extends InstanceKey {
  /** Latest row of any kind (metric, profile, event, status) in the range. */
  readonly lastSeenMs: number;
  /** The latest value of each metric in the range. */
  readonly latestMetrics: Readonly<Record<string, number>>;
  /** The latest reported status in the range, if any. */
  readonly state?: string;
}

export interface ServiceSummary {
  readonly service: string;
  readonly instances: number;
  readonly lastSeenMs: number;
}

export interface EventFilter extends TimeRange {
  readonly service?: string;
  readonly instance?: string;
  readonly kind?: string;
  readonly limit: number;
}

export interface ProfileFilter extends TimeRange {
  readonly service?: string;
  readonly instance?: string;
  readonly type?: string;
  /** 'baseline' | 'rule' | 'analysis'. */
  readonly trigger?: string;
  /** Only these profiles (by id). */
  readonly ids?: readonly string[];
  readonly limit: number;
}

/** ProfileRecord without its bytes: what listings return. */
export type ProfileMeta = Omit<ProfileRecord, 'pprofGzip'>;

/** Which samples an aggregate reads: one service, one profile type and sample type, a range. */
export interface SampleFilter extends TimeRange {
  readonly service: string;
  readonly profileType: string;
  readonly sampleType: string;
  readonly instance?: string;
  /** Only the samples of these profiles. */
  readonly profileIds?: readonly string[];
}

/** The summed value of one stack over the filter, and on how many instances it was seen. */
export interface StackTotal {
  readonly hash: string;
  readonly frames: readonly string[];
  readonly value: number;
  readonly instances: number;
}

/** Per instance: how many profiles, and the summed value of the stacks asked about. */
export interface InstanceTotal extends InstanceKey {
  readonly value: number;
  readonly profiles: number;
}

export interface MetricSeriesFilter extends TimeRange {
  readonly service: string;
  readonly instance?: string;
  readonly name: string;
  /** Bucket width; each point is the bucket's average. */
  readonly stepMs: number;
}

export interface MetricSeries extends InstanceKey {
  /** [bucket start ms, average], bucket starts ascending. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ProfileStore {
  /** Creates or migrates the schema; safe to call on every start and from several aggregators. */
  init(): Promise<void>;
  /** Resolves when the store answers a trivial query (readiness). */
  ping(): Promise<void>;
  /**
   * Commits the batches; resolves only once every row is durably stored (the caller acknowledges
   * the messages then). Batches whose messageId is already stored are skipped, also when two
   * aggregators write the same messageId. Resolves with the ids that were new.
   */
  write(batches: readonly IngestBatch[]): Promise<ReadonlySet<string>>;
  /** Drops every day partition strictly before the day of `cutoffMs`; resolves with the days dropped (YYYY-MM-DD). */
  dropBefore(cutoffMs: number): Promise<readonly string[]>;

  services(range: TimeRange): Promise<readonly ServiceSummary[]>;
  instances(range: TimeRange & { readonly service?: string }): Promise<readonly InstanceSummary[]>;
  /** Newest first. */
  events(filter: EventFilter): Promise<readonly EventRecord[]>;
  /** Newest first. */
  profiles(filter: ProfileFilter): Promise<readonly ProfileMeta[]>;
  /**
   * A profile with its original bytes, or undefined when none with that id started within
   * `within` (the caller passes the retention window: ids carry no day, the query still filters
   * on the day partition).
   */
  profile(id: string, within: TimeRange): Promise<ProfileRecord | undefined>;
  /** Stack totals over the filter, largest value first, at most `limit`. */
  stackTotals(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]>;
  /**
   * stackTotals without counting instances (every `instances` is 0), for answers that do not show
   * them: over millions of samples the count is much of a read's cost.
   */
  stackValues(filter: SampleFilter, limit: number): Promise<readonly StackTotal[]>;
  /**
   * Per instance: the value of the stacks in `stackHashes` (all stacks when undefined) and the
   * number of profiles, largest value first.
   */
  instanceTotals(filter: SampleFilter, stackHashes?: readonly string[]): Promise<readonly InstanceTotal[]>;
  /** Hashes of the service's stacks that contain `fn` as any frame, over the range's days. */
  stacksContaining(service: string, fn: string, range: TimeRange): Promise<readonly string[]>;
  metricSeries(filter: MetricSeriesFilter): Promise<readonly MetricSeries[]>;
  close(): Promise<void>;
}

/** Nest injection token of the configured ProfileStore. */
export const PROFILE_STORE = Symbol('PROFILE_STORE');
