// Original file: proto/stackwatch/v1/ingest.proto


/**
 * The message with this id is durably stored (or was already): the agent may forget it.
 */
export interface Ack {
  'id'?: (string);
}

/**
 * The message with this id is durably stored (or was already): the agent may forget it.
 */
export interface Ack__Output {
  'id': (string);
}
