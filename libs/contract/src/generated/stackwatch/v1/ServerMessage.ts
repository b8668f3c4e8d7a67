// Original file: proto/stackwatch/v1/ingest.proto

import type { Welcome as _stackwatch_v1_Welcome, Welcome__Output as _stackwatch_v1_Welcome__Output } from '../../stackwatch/v1/Welcome';
import type { Ack as _stackwatch_v1_Ack, Ack__Output as _stackwatch_v1_Ack__Output } from '../../stackwatch/v1/Ack';
import type { Reject as _stackwatch_v1_Reject, Reject__Output as _stackwatch_v1_Reject__Output } from '../../stackwatch/v1/Reject';

export interface ServerMessage {
  'welcome'?: (_stackwatch_v1_Welcome | null);
  'ack'?: (_stackwatch_v1_Ack | null);
  'reject'?: (_stackwatch_v1_Reject | null);
  'body'?: "welcome"|"ack"|"reject";
}

export interface ServerMessage__Output {
  'welcome'?: (_stackwatch_v1_Welcome__Output | null);
  'ack'?: (_stackwatch_v1_Ack__Output | null);
  'reject'?: (_stackwatch_v1_Reject__Output | null);
  'body'?: "welcome"|"ack"|"reject";
}
