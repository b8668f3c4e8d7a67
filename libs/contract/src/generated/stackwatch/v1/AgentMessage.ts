// Original file: proto/stackwatch/v1/ingest.proto

import type { Hello as _stackwatch_v1_Hello, Hello__Output as _stackwatch_v1_Hello__Output } from '../../stackwatch/v1/Hello';
import type { TargetStatus as _stackwatch_v1_TargetStatus, TargetStatus__Output as _stackwatch_v1_TargetStatus__Output } from '../../stackwatch/v1/TargetStatus';
import type { MetricBatch as _stackwatch_v1_MetricBatch, MetricBatch__Output as _stackwatch_v1_MetricBatch__Output } from '../../stackwatch/v1/MetricBatch';
import type { Profile as _stackwatch_v1_Profile, Profile__Output as _stackwatch_v1_Profile__Output } from '../../stackwatch/v1/Profile';
import type { Event as _stackwatch_v1_Event, Event__Output as _stackwatch_v1_Event__Output } from '../../stackwatch/v1/Event';

export interface AgentMessage {
  'hello'?: (_stackwatch_v1_Hello | null);
  'target_status'?: (_stackwatch_v1_TargetStatus | null);
  'metrics'?: (_stackwatch_v1_MetricBatch | null);
  'profile'?: (_stackwatch_v1_Profile | null);
  'event'?: (_stackwatch_v1_Event | null);
  'body'?: "hello"|"target_status"|"metrics"|"profile"|"event";
}

export interface AgentMessage__Output {
  'hello'?: (_stackwatch_v1_Hello__Output | null);
  'target_status'?: (_stackwatch_v1_TargetStatus__Output | null);
  'metrics'?: (_stackwatch_v1_MetricBatch__Output | null);
  'profile'?: (_stackwatch_v1_Profile__Output | null);
  'event'?: (_stackwatch_v1_Event__Output | null);
  'body'?: "hello"|"target_status"|"metrics"|"profile"|"event";
}
