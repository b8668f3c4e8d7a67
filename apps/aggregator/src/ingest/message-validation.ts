import {
  EVENT_KINDS,
  FINDING_KINDS,
  isEventKind,
  isProfileType,
  PROFILE_TYPES,
  type Event__Output,
  type MetricBatch__Output,
  type Profile__Output,
  type Target__Output,
  type TargetStatus__Output,
  type Trigger__Output,
} from '@stackwatch/contract';
import type { DataMessage } from './data-message';
import { INGEST_LIMITS as LIMITS } from './ingest-limits';
import { RejectError } from './reject';

/** The clock and retention timestamps are judged against. */
export interface TimeWindow {
  readonly nowMs: number;
  readonly retentionMs: number;
}

/** A data message that passed validation, with its (then certainly present) target. */
export interface ValidMessage {
  readonly message: DataMessage;
  readonly target: Target__Output;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TARGET_STATES = ['TARGET_STATE_UP', 'TARGET_STATE_DOWN', 'TARGET_STATE_RESTARTED', 'TARGET_STATE_DEGRADED'];

/**
 * Checks every field of a data message against the ingest contract (docs/aggregator.md) and
 * throws a RejectError naming the first field that is wrong. The pprof bytes are only checked
 * for size here; decoding them is the converter's job.
 */
export function validateMessage(message: DataMessage, window: TimeWindow): ValidMessage {
  const { kind } = message;
  checkId(message.body.id, `${kind}.id`);
  switch (message.kind) {
    case 'target_status':
      return { message, target: validateStatus(message.body, window) };
    case 'metrics':
      return { message, target: validateMetrics(message.body, window) };
    case 'profile':
      return { message, target: validateProfile(message.body, window) };
    case 'event':
      return { message, target: validateEvent(message.body, window) };
  }
}

/** Ids are what acks and rejects are matched by: present, and short enough to index. */
export function checkId(id: string, field: string): void {
  if (id === '') throw new RejectError('bad_field', `${field} is empty`);
  checkLength(id, field, LIMITS.maxIdChars);
}

function validateStatus(status: TargetStatus__Output, window: TimeWindow): Target__Output {
  const target = validateTarget(status.target, 'target_status.target');
  if (!TARGET_STATES.includes(status.state)) {
    throw new RejectError('bad_field', `target_status.state ${JSON.stringify(status.state)} is not one of ${TARGET_STATES.join(', ')}`);
  }
  checkTime(status.time_unix_ms, 'target_status.time_unix_ms', window);
  checkLength(status.detail, 'target_status.detail', LIMITS.maxDetailChars);
  return target;
}

function validateMetrics(batch: MetricBatch__Output, window: TimeWindow): Target__Output {
  const target = validateTarget(batch.target, 'metrics.target');
  if (batch.points.length === 0) throw new RejectError('bad_field', 'metrics.points is empty');
  if (batch.points.length > LIMITS.maxMetricPoints) {
    throw new RejectError('too_large', `metrics.points has ${batch.points.length} points, more than ${LIMITS.maxMetricPoints}`);
  }
  batch.points.forEach((point, i) => {
    const field = `metrics.points[${i}]`;
    checkLength(point.name, `${field}.name`, LIMITS.maxMetricNameChars);
    if (!METRIC_NAME.test(point.name)) throw new RejectError('bad_field', `${field}.name ${JSON.stringify(point.name)} is not a metric name ([a-zA-Z_][a-zA-Z0-9_]*)`);
    checkFinite(point.value, `${field}.value`);
    checkTime(point.time_unix_ms, `${field}.time_unix_ms`, window);
  });
  return target;
}

function validateProfile(profile: Profile__Output, window: TimeWindow): Target__Output {
  const target = validateTarget(profile.target, 'profile.target');
  if (!isProfileType(profile.type)) {
    throw new RejectError('unknown_type', `profile.type ${JSON.stringify(profile.type)} is not one of ${PROFILE_TYPES.join(', ')}`);
  }
  checkTime(profile.start_unix_ms, 'profile.start_unix_ms', window);
  if (!Number.isInteger(profile.duration_ms) || profile.duration_ms < 0 || profile.duration_ms > LIMITS.maxDurationMs) {
    throw new RejectError('bad_field', `profile.duration_ms ${profile.duration_ms} is not between 0 and ${LIMITS.maxDurationMs}`);
  }
  validateTrigger(profile.trigger);
  if (profile.pprof_gzip.length > LIMITS.maxProfileBytes) {
    throw new RejectError('too_large', `profile.pprof_gzip holds ${profile.pprof_gzip.length} bytes, more than ${LIMITS.maxProfileBytes}`);
  }
  return target;
}

/** Analyses (deadlock, goroutine_leak) travel as rule triggers named after the event kind. */
function validateTrigger(trigger: Trigger__Output | null): void {
  if (!trigger || !trigger.kind) throw new RejectError('bad_field', 'profile.trigger is missing');
  if (trigger.kind === 'baseline') return;
  const rule = trigger.rule;
  if (!rule) throw new RejectError('bad_field', 'profile.trigger.rule is missing');
  if (!isEventKind(rule.rule)) {
    throw new RejectError('unknown_type', `profile.trigger.rule.rule ${JSON.stringify(rule.rule)} is not one of ${EVENT_KINDS.join(', ')}`);
  }
  checkId(rule.event_id, 'profile.trigger.rule.event_id');
  checkFinite(rule.value, 'profile.trigger.rule.value');
  checkFinite(rule.average, 'profile.trigger.rule.average');
  checkFinite(rule.threshold, 'profile.trigger.rule.threshold');
}

function validateEvent(event: Event__Output, window: TimeWindow): Target__Output {
  const target = validateTarget(event.target, 'event.target');
  if (!isEventKind(event.kind)) throw new RejectError('unknown_type', `event.kind ${JSON.stringify(event.kind)} is not one of ${EVENT_KINDS.join(', ')}`);
  checkTime(event.time_unix_ms, 'event.time_unix_ms', window);
  checkFinite(event.value, 'event.value');
  checkFinite(event.average, 'event.average');
  checkFinite(event.threshold, 'event.threshold');
  checkLength(event.reason, 'event.reason', LIMITS.maxDetailChars);
  if (event.profile_ids.length > LIMITS.maxProfileIdsPerEvent) {
    throw new RejectError('too_large', `event.profile_ids has ${event.profile_ids.length} ids, more than ${LIMITS.maxProfileIdsPerEvent}`);
  }
  event.profile_ids.forEach((id, i) => checkId(id, `event.profile_ids[${i}]`));
  if (event.findings.length > LIMITS.maxFindingsPerEvent) {
    throw new RejectError('too_large', `event.findings has ${event.findings.length} findings, more than ${LIMITS.maxFindingsPerEvent}`);
  }
  event.findings.forEach((finding, i) => {
    const field = `event.findings[${i}]`;
    if (!(FINDING_KINDS as readonly string[]).includes(finding.kind)) {
      throw new RejectError('unknown_type', `${field}.kind ${JSON.stringify(finding.kind)} is not one of ${FINDING_KINDS.join(', ')}`);
    }
    checkLength(finding.summary, `${field}.summary`, LIMITS.maxDetailChars);
    if (finding.stacks.length > LIMITS.maxStacksPerFinding) {
      throw new RejectError('too_large', `${field}.stacks has ${finding.stacks.length} stacks, more than ${LIMITS.maxStacksPerFinding}`);
    }
    finding.stacks.forEach((stack, j) => {
      const stackField = `${field}.stacks[${j}]`;
      if (stack.frames.length > LIMITS.maxFramesPerStack) {
        throw new RejectError('too_large', `${stackField}.frames has ${stack.frames.length} frames, more than ${LIMITS.maxFramesPerStack}`);
      }
      stack.frames.forEach((frame, k) => checkLength(frame, `${stackField}.frames[${k}]`, LIMITS.maxFrameChars));
      if (!Number.isSafeInteger(stack.count) || stack.count < 0) throw new RejectError('bad_field', `${stackField}.count ${stack.count} is not a count`);
      checkLength(stack.state, `${stackField}.state`, LIMITS.maxTargetNameChars);
      checkLength(stack.created_by, `${stackField}.created_by`, LIMITS.maxFrameChars);
    });
  });
  return target;
}

/** Who sent it: rows are keyed by service and instance, so both must be usable names. */
export function validateTarget(target: Target__Output | null, field: string): Target__Output {
  if (!target) throw new RejectError('bad_field', `${field} is missing`);
  for (const name of ['service', 'instance'] as const) {
    if (target[name] === '') throw new RejectError('bad_field', `${field}.${name} is empty`);
    checkLength(target[name], `${field}.${name}`, LIMITS.maxTargetNameChars);
  }
  const labels = Object.entries(target.labels);
  if (labels.length > LIMITS.maxLabels) throw new RejectError('bad_field', `${field}.labels has ${labels.length} labels, more than ${LIMITS.maxLabels}`);
  for (const [name, value] of labels) {
    if (name.length > LIMITS.maxLabelNameChars || !LABEL_NAME.test(name)) {
      throw new RejectError('bad_field', `${field}.labels name ${JSON.stringify(name.slice(0, 80))} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, at most ${LIMITS.maxLabelNameChars} characters)`);
    }
    checkLength(value, `${field}.labels[${name}]`, LIMITS.maxLabelValueChars);
  }
  if (!Number.isInteger(target.pid) || target.pid < 0) throw new RejectError('bad_field', `${field}.pid ${target.pid} is negative`);
  checkLength(target.go_version, `${field}.go_version`, LIMITS.maxGoVersionChars);
  checkLength(target.url, `${field}.url`, LIMITS.maxUrlChars);
  return target;
}

/** Within the retention (older data would land in a dropped partition) and not from the future. */
export function checkTime(timeMs: number, field: string, { nowMs, retentionMs }: TimeWindow): void {
  if (!Number.isSafeInteger(timeMs) || timeMs <= 0) throw new RejectError('bad_field', `${field} is missing`);
  if (timeMs < nowMs - retentionMs) {
    throw new RejectError('bad_time', `${field} ${new Date(timeMs).toISOString()} is older than the retention of ${formatDays(retentionMs)}`);
  }
  if (timeMs > nowMs + LIMITS.maxFutureMs) {
    throw new RejectError('bad_time', `${field} ${new Date(timeMs).toISOString()} is more than ${LIMITS.maxFutureMs / 60_000} minutes in the future`);
  }
}

function checkLength(value: string, field: string, max: number): void {
  if (value.length > max) throw new RejectError('bad_field', `${field} has ${value.length} characters, more than ${max}`);
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new RejectError('bad_field', `${field} is ${value}, not a finite number`);
}

function formatDays(ms: number): string {
  const days = ms / 86_400_000;
  return Number.isInteger(days) ? `${days}d` : `${ms} ms`;
}

