// Original file: proto/stackwatch/v1/ingest.proto

import type { StackCount as _stackwatch_v1_StackCount, StackCount__Output as _stackwatch_v1_StackCount__Output } from '../../stackwatch/v1/StackCount';

export interface Finding {
  /**
   * "goroutine_leak", "deadlock", "thread_block"
   */
  'kind'?: (string);
  'summary'?: (string);
  'stacks'?: (_stackwatch_v1_StackCount)[];
}

export interface Finding__Output {
  /**
   * "goroutine_leak", "deadlock", "thread_block"
   */
  'kind': (string);
  'summary': (string);
  'stacks': (_stackwatch_v1_StackCount__Output)[];
}
