// Original file: proto/stackwatch/v1/ingest.proto

import type { Long } from '@grpc/proto-loader';

export interface MetricPoint {
  /**
   * e.g. "cpu_percent", "goroutines"
   */
  'name'?: (string);
  'value'?: (number | string);
  'time_unix_ms'?: (number | string | Long);
}

export interface MetricPoint__Output {
  /**
   * e.g. "cpu_percent", "goroutines"
   */
  'name': (string);
  'value': (number);
  'time_unix_ms': (number);
}
