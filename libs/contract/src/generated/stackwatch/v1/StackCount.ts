// Original file: proto/stackwatch/v1/ingest.proto

import type { Long } from '@grpc/proto-loader';

export interface StackCount {
  /**
   * root first, function names
   */
  'frames'?: (string)[];
  'count'?: (number | string | Long);
  /**
   * goroutine state / wait reason, when it applies
   */
  'state'?: (string);
  /**
   * creating function, when it applies
   */
  'created_by'?: (string);
}

export interface StackCount__Output {
  /**
   * root first, function names
   */
  'frames': (string)[];
  'count': (number);
  /**
   * goroutine state / wait reason, when it applies
   */
  'state': (string);
  /**
   * creating function, when it applies
   */
  'created_by': (string);
}
