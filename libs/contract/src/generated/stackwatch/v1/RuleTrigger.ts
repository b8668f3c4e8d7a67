// Original file: proto/stackwatch/v1/ingest.proto


export interface RuleTrigger {
  /**
   * "cpu", "memory", "gc_heap", "goroutines", "threads", "deadlock"
   */
  'rule'?: (string);
  'value'?: (number | string);
  /**
   * moving average at the time it fired
   */
  'average'?: (number | string);
  /**
   * the bound the value crossed
   */
  'threshold'?: (number | string);
  /**
   * the Event this capture belongs to
   */
  'event_id'?: (string);
}

export interface RuleTrigger__Output {
  /**
   * "cpu", "memory", "gc_heap", "goroutines", "threads", "deadlock"
   */
  'rule': (string);
  'value': (number);
  /**
   * moving average at the time it fired
   */
  'average': (number);
  /**
   * the bound the value crossed
   */
  'threshold': (number);
  /**
   * the Event this capture belongs to
   */
  'event_id': (string);
}
