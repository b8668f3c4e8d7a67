/**
 * The bounds every agent message is held to. They are part of the ingest contract: docs/aggregator.md
 * lists them, and a message over one is rejected with a reason naming the field.
 */
export const INGEST_LIMITS = {
  /**
   * gRPC receive limit of the ingest server, announced in Welcome.max_message_bytes: an agent cuts
   * larger profiles into chunks below it. Explicit so the announcement and the limit cannot drift.
   */
  maxMessageBytes: 8 * 1024 * 1024,
  /** A whole profile (the sum of its chunks); larger ones are rejected `too_large`. */
  maxProfileBytes: 64 * 1024 * 1024,
  /** What a profile may inflate to when gunzipped and decoded. */
  maxInflatedProfileBytes: 256 * 1024 * 1024,
  /** Bytes of partial chunked profiles one stream may hold at once. */
  maxAssemblyBytesPerStream: 128 * 1024 * 1024,
  /** Chunked profiles one stream may have in progress at once (agents send one at a time). */
  maxAssembliesPerStream: 4,
  maxIdChars: 128,
  /** Agents name themselves host:spool-dir, and a path can be long; only bounded to keep logs sane. */
  maxAgentIdChars: 1024,
  maxTargetNameChars: 256,
  maxLabels: 64,
  maxLabelNameChars: 64,
  maxLabelValueChars: 1024,
  maxUrlChars: 2048,
  maxGoVersionChars: 64,
  maxDetailChars: 4096,
  maxMetricPoints: 10_000,
  maxMetricNameChars: 128,
  maxProfileIdsPerEvent: 64,
  /** Distinct targets (service, instance, label set) one stream may send about: a DaemonSet agent watches tens. */
  maxTargetsPerStream: 1_000,
  /** Distinct metric names one stream may send (agents send six). */
  maxMetricNamesPerStream: 100,
  maxFindingsPerEvent: 64,
  maxStacksPerFinding: 1_000,
  maxFramesPerStack: 1_024,
  maxFrameChars: 4_096,
  /** Longest capture a profile may claim: one day. */
  maxDurationMs: 86_400_000,
  /** How far ahead of the aggregator's clock a timestamp may be (clock skew). */
  maxFutureMs: 10 * 60_000,
} as const;

export type IngestLimits = typeof INGEST_LIMITS;
