// Original file: proto/stackwatch/v1/ingest.proto


/**
 * The message with this id will never be stored; re-sending it is pointless.
 */
export interface Reject {
  'id'?: (string);
  /**
   * machine-readable: "invalid_pprof", "too_large", "bad_field", ...
   */
  'reason'?: (string);
  /**
   * human-readable, names the field that was wrong
   */
  'message'?: (string);
}

/**
 * The message with this id will never be stored; re-sending it is pointless.
 */
export interface Reject__Output {
  'id': (string);
  /**
   * machine-readable: "invalid_pprof", "too_large", "bad_field", ...
   */
  'reason': (string);
  /**
   * human-readable, names the field that was wrong
   */
  'message': (string);
}
