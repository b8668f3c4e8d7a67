// Original file: proto/stackwatch/v1/ingest.proto

import type { Target as _stackwatch_v1_Target, Target__Output as _stackwatch_v1_Target__Output } from '../../stackwatch/v1/Target';
import type { Trigger as _stackwatch_v1_Trigger, Trigger__Output as _stackwatch_v1_Trigger__Output } from '../../stackwatch/v1/Trigger';
import type { Long } from '@grpc/proto-loader';

export interface Profile {
  'id'?: (string);
  'target'?: (_stackwatch_v1_Target | null);
  /**
   * "cpu", "heap", "allocs", "goroutine", "mutex", "block", "threadcreate", "goroutineleak"
   */
  'type'?: (string);
  /**
   * gzipped pprof protobuf as the target served it (this chunk's part)
   */
  'pprof_gzip'?: (Buffer | Uint8Array | string);
  /**
   * capture start
   */
  'start_unix_ms'?: (number | string | Long);
  /**
   * capture length; 0 for instant profiles (heap, goroutine, ...)
   */
  'duration_ms'?: (number | string | Long);
  'trigger'?: (_stackwatch_v1_Trigger | null);
  /**
   * Chunking, for profiles larger than Welcome.max_message_bytes: chunks share the id and all
   * metadata, carry consecutive parts of pprof_gzip, and are acknowledged once, as a whole.
   */
  'chunk_index'?: (number);
  /**
   * 0 or 1: not chunked
   */
  'chunk_count'?: (number);
  /**
   * size of the whole pprof_gzip when chunked
   */
  'total_bytes'?: (number | string | Long);
}

export interface Profile__Output {
  'id': (string);
  'target': (_stackwatch_v1_Target__Output | null);
  /**
   * "cpu", "heap", "allocs", "goroutine", "mutex", "block", "threadcreate", "goroutineleak"
   */
  'type': (string);
  /**
   * gzipped pprof protobuf as the target served it (this chunk's part)
   */
  'pprof_gzip': (Buffer);
  /**
   * capture start
   */
  'start_unix_ms': (number);
  /**
   * capture length; 0 for instant profiles (heap, goroutine, ...)
   */
  'duration_ms': (number);
  'trigger': (_stackwatch_v1_Trigger__Output | null);
  /**
   * Chunking, for profiles larger than Welcome.max_message_bytes: chunks share the id and all
   * metadata, carry consecutive parts of pprof_gzip, and are acknowledged once, as a whole.
   */
  'chunk_index': (number);
  /**
   * 0 or 1: not chunked
   */
  'chunk_count': (number);
  /**
   * size of the whole pprof_gzip when chunked
   */
  'total_bytes': (number);
}
