// Original file: proto/stackwatch/v1/ingest.proto


/**
 * Sent by the aggregator after it accepted the Hello.
 */
export interface Welcome {
  'aggregator_id'?: (string);
  /**
   * the largest AgentMessage it takes; bigger profiles are chunked
   */
  'max_message_bytes'?: (number);
}

/**
 * Sent by the aggregator after it accepted the Hello.
 */
export interface Welcome__Output {
  'aggregator_id': (string);
  /**
   * the largest AgentMessage it takes; bigger profiles are chunked
   */
  'max_message_bytes': (number);
}
