// Original file: proto/stackwatch/v1/ingest.proto

import type { Target as _stackwatch_v1_Target, Target__Output as _stackwatch_v1_Target__Output } from '../../stackwatch/v1/Target';
import type { MetricPoint as _stackwatch_v1_MetricPoint, MetricPoint__Output as _stackwatch_v1_MetricPoint__Output } from '../../stackwatch/v1/MetricPoint';

export interface MetricBatch {
  'id'?: (string);
  'target'?: (_stackwatch_v1_Target | null);
  'points'?: (_stackwatch_v1_MetricPoint)[];
}

export interface MetricBatch__Output {
  'id': (string);
  'target': (_stackwatch_v1_Target__Output | null);
  'points': (_stackwatch_v1_MetricPoint__Output)[];
}
