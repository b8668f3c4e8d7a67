// Original file: proto/stackwatch/v1/ingest.proto

import type { Target as _stackwatch_v1_Target, Target__Output as _stackwatch_v1_Target__Output } from '../../stackwatch/v1/Target';
import type { Finding as _stackwatch_v1_Finding, Finding__Output as _stackwatch_v1_Finding__Output } from '../../stackwatch/v1/Finding';
import type { Long } from '@grpc/proto-loader';

export interface Event {
  'id'?: (string);
  /**
   * "cpu", "memory", "gc_heap", "goroutines", "threads", "deadlock", "goroutine_leak"
   */
  'kind'?: (string);
  'target'?: (_stackwatch_v1_Target | null);
  'time_unix_ms'?: (number | string | Long);
  'value'?: (number | string);
  'average'?: (number | string);
  'threshold'?: (number | string);
  'reason'?: (string);
  'profile_ids'?: (string)[];
  'findings'?: (_stackwatch_v1_Finding)[];
}

export interface Event__Output {
  'id': (string);
  /**
   * "cpu", "memory", "gc_heap", "goroutines", "threads", "deadlock", "goroutine_leak"
   */
  'kind': (string);
  'target': (_stackwatch_v1_Target__Output | null);
  'time_unix_ms': (number);
  'value': (number);
  'average': (number);
  'threshold': (number);
  'reason': (string);
  'profile_ids': (string)[];
  'findings': (_stackwatch_v1_Finding__Output)[];
}
