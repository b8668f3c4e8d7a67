import { randomUUID } from 'node:crypto';
import type { AgentMessage, Finding, MetricPoint, Target, TargetState } from '@stackwatch/contract';
import type { CapturedProfile } from '../capture/pprof-client';
import type { RuleFiring } from '../detect/target-detector';
import type { WatchedTarget } from '../target';

/** Builders of the wire messages; every data message gets a fresh unique id here. */

export function wireTarget(target: WatchedTarget, pid: number | undefined): Target {
  return {
    service: target.identity.service,
    instance: target.identity.instance,
    labels: { ...target.identity.labels },
    pid: pid ?? 0,
    go_version: target.goVersion ?? '',
    url: target.url.href,
  };
}

export function statusMessage(target: Target, state: TargetState, detail: string, timeMs = Date.now()): AgentMessage {
  return { target_status: { id: randomUUID(), target, state, time_unix_ms: timeMs, detail } };
}

export function metricsMessage(target: Target, points: MetricPoint[]): AgentMessage {
  return { metrics: { id: randomUUID(), target, points } };
}

export type ProfileTrigger = { readonly rule: RuleFiring; readonly eventId: string } | { readonly analysis: string; readonly eventId: string } | 'baseline';

export function profileMessage(target: Target, profile: CapturedProfile, trigger: ProfileTrigger): AgentMessage & { profile: { id: string } } {
  const id = randomUUID();
  return {
    profile: {
      id,
      target,
      type: profile.type,
      pprof_gzip: profile.pprofGzip,
      start_unix_ms: profile.startMs,
      duration_ms: profile.durationMs,
      trigger:
        trigger === 'baseline'
          ? { baseline: {} }
          : 'rule' in trigger
            ? {
                rule: {
                  rule: trigger.rule.rule.name,
                  value: trigger.rule.value,
                  average: trigger.rule.average,
                  threshold: trigger.rule.threshold,
                  event_id: trigger.eventId,
                },
              }
            : { rule: { rule: trigger.analysis, value: 0, average: 0, threshold: 0, event_id: trigger.eventId } },
    },
  };
}

export interface EventFields {
  readonly id: string;
  readonly kind: string;
  readonly timeMs: number;
  readonly value: number;
  readonly average: number;
  readonly threshold: number;
  readonly reason: string;
  readonly profileIds: string[];
  readonly findings: Finding[];
}

export function eventMessage(target: Target, e: EventFields): AgentMessage {
  return {
    event: {
      id: e.id,
      kind: e.kind,
      target,
      time_unix_ms: e.timeMs,
      value: e.value,
      average: e.average,
      threshold: e.threshold,
      reason: e.reason,
      profile_ids: e.profileIds,
      findings: e.findings,
    },
  };
}
