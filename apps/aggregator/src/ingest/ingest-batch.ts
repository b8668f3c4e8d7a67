import { RULE_NAMES, type Event__Output, type MetricBatch__Output, type Profile__Output, type Target__Output, type TargetStatus__Output, type Trigger__Output } from '@stackwatch/contract';
import { decodeProfile, PprofDecodeError, type NormalizedProfile } from '@stackwatch/pprof';
import type { IngestBatch, StoredTrigger } from '../store/profile-store';
import { INGEST_LIMITS } from './ingest-limits';
import type { ValidMessage } from './message-validation';
import { profileRows } from './profile-rows';
import { RejectError } from './reject';

/**
 * Turns a validated message into the rows it writes, keyed by its id (the store's idempotence
 * key). A profile is decoded here: bytes that are not pprof throw RejectError('invalid_pprof')
 * with the decoder's message.
 */
export function toIngestBatch({ message, target }: ValidMessage): IngestBatch {
  switch (message.kind) {
    case 'target_status':
      return statusBatch(message.body, target);
    case 'metrics':
      return metricsBatch(message.body, target);
    case 'profile':
      return profileBatch(message.body, target);
    case 'event':
      return eventBatch(message.body, target);
  }
}

/** How many rows a batch writes: what the batcher sizes its store writes by. */
export function rowCount(batch: IngestBatch): number {
  return (
    1 +
    (batch.profiles?.length ?? 0) +
    (batch.stacks?.length ?? 0) +
    (batch.samples?.length ?? 0) +
    (batch.metrics?.length ?? 0) +
    (batch.events?.length ?? 0) +
    (batch.statuses?.length ?? 0)
  );
}

/** Bytes a queued batch holds beyond its rows: the profile bytes kept for download. */
export function payloadBytes(batch: IngestBatch): number {
  return (batch.profiles ?? []).reduce((sum, p) => sum + p.pprofGzip.length, 0);
}

function statusBatch(status: TargetStatus__Output, target: Target__Output): IngestBatch {
  return {
    messageId: status.id,
    timeMs: status.time_unix_ms,
    statuses: [
      {
        service: target.service,
        instance: target.instance,
        timeMs: status.time_unix_ms,
        // The wire enum without its prefix: UP, DOWN, RESTARTED, DEGRADED.
        state: status.state.replace(/^TARGET_STATE_/, ''),
        detail: status.detail,
        pid: target.pid,
        goVersion: target.go_version,
        url: target.url,
        labels: { ...target.labels },
      },
    ],
  };
}

function metricsBatch(batch: MetricBatch__Output, target: Target__Output): IngestBatch {
  return {
    messageId: batch.id,
    // Validation guarantees a first point; its time is stable across re-sends.
    timeMs: batch.points[0].time_unix_ms,
    metrics: batch.points.map((point) => ({
      service: target.service,
      instance: target.instance,
      timeMs: point.time_unix_ms,
      name: point.name,
      value: point.value,
    })),
  };
}

function profileBatch(profile: Profile__Output, target: Target__Output): IngestBatch {
  const rows = profileRows(
    {
      id: profile.id,
      service: target.service,
      instance: target.instance,
      labels: { ...target.labels },
      pid: target.pid,
      goVersion: target.go_version,
      type: profile.type,
      startMs: profile.start_unix_ms,
      durationMs: profile.duration_ms,
      trigger: storedTrigger(profile.trigger),
      pprofGzip: profile.pprof_gzip,
    },
    decode(profile.pprof_gzip),
  );
  return { messageId: profile.id, timeMs: profile.start_unix_ms, profiles: [rows.profile], stacks: rows.stacks, samples: rows.samples };
}

function decode(bytes: Uint8Array): NormalizedProfile {
  try {
    return decodeProfile(bytes, { maxBytes: INGEST_LIMITS.maxInflatedProfileBytes });
  } catch (err) {
    if (!(err instanceof PprofDecodeError)) throw err;
    // The decoder's wording is the useful part; only the reason differs for a gzip bomb.
    const reason = /inflates past/.test(err.message) ? 'too_large' : 'invalid_pprof';
    throw new RejectError(reason, `profile.pprof_gzip: ${err.message}`);
  }
}

/** Event kinds that are not rules (deadlock, goroutine_leak) come from the agent's analyses. */
const RULES: readonly string[] = RULE_NAMES;

function storedTrigger(trigger: Trigger__Output | null): StoredTrigger {
  const rule = trigger?.rule;
  if (trigger?.kind !== 'rule' || !rule) return { kind: 'baseline' };
  if (!RULES.includes(rule.rule)) return { kind: 'analysis', analysis: rule.rule, eventId: rule.event_id };
  return { kind: 'rule', rule: rule.rule, value: rule.value, average: rule.average, threshold: rule.threshold, eventId: rule.event_id };
}

function eventBatch(event: Event__Output, target: Target__Output): IngestBatch {
  return {
    messageId: event.id,
    timeMs: event.time_unix_ms,
    events: [
      {
        service: target.service,
        instance: target.instance,
        id: event.id,
        timeMs: event.time_unix_ms,
        kind: event.kind,
        value: event.value,
        average: event.average,
        threshold: event.threshold,
        reason: event.reason,
        profileIds: [...event.profile_ids],
        findings: event.findings.map((finding) => ({
          kind: finding.kind,
          summary: finding.summary,
          stacks: finding.stacks.map((stack) => ({ frames: [...stack.frames], count: stack.count, state: stack.state, createdBy: stack.created_by })),
        })),
      },
    ],
  };
}
