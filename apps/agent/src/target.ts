/** Who a watched process is, as shown in the aggregator (service, instance, labels). */
export interface TargetIdentity {
  readonly service: string;
  readonly instance: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A Go process the agent watches, as the discover stage resolved it. */
export interface WatchedTarget {
  /** Unique within one agent: the origin of its pprof URL (e.g. http://127.0.0.1:6060). */
  readonly key: string;
  /** Base URL of its pprof endpoints; `debug/pprof/...` is resolved against it. */
  readonly url: URL;
  /** Owning process, when known (same pid namespace and /proc readable). */
  readonly pid: number | undefined;
  /** e.g. "go1.26.8", from the ELF build info; undefined when unknown. */
  readonly goVersion: string | undefined;
  readonly identity: TargetIdentity;
}

/** Names of the per-interval readings; each rule watches one of them. */
export const SAMPLE_METRICS = ['cpu_percent', 'memory_percent', 'rss_bytes', 'goroutines', 'threads', 'gc_heap_percent'] as const;
export type SampleMetric = (typeof SAMPLE_METRICS)[number];

/** One cheap reading of a target. */
export interface TargetSample {
  readonly timeMs: number;
  readonly pid: number | undefined;
  /** False when /proc of the target cannot be read (another pid namespace): pprof-only readings. */
  readonly procAccess: boolean;
  /** True when the pid or the process start time changed since the previous sample. */
  readonly restarted: boolean;
  /** Readings that could be taken this time; a missing one is simply absent. */
  readonly values: Readonly<Partial<Record<SampleMetric, number>>>;
}
