// Original file: proto/stackwatch/v1/ingest.proto

import type { Target as _stackwatch_v1_Target, Target__Output as _stackwatch_v1_Target__Output } from '../../stackwatch/v1/Target';
import type { TargetState as _stackwatch_v1_TargetState, TargetState__Output as _stackwatch_v1_TargetState__Output } from '../../stackwatch/v1/TargetState';
import type { Long } from '@grpc/proto-loader';

export interface TargetStatus {
  'id'?: (string);
  'target'?: (_stackwatch_v1_Target | null);
  'state'?: (_stackwatch_v1_TargetState);
  'time_unix_ms'?: (number | string | Long);
  'detail'?: (string);
}

export interface TargetStatus__Output {
  'id': (string);
  'target': (_stackwatch_v1_Target__Output | null);
  'state': (_stackwatch_v1_TargetState__Output);
  'time_unix_ms': (number);
  'detail': (string);
}
