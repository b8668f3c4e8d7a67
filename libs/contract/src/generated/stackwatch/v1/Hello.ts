// Original file: proto/stackwatch/v1/ingest.proto


/**
 * First message of every stream.
 */
export interface Hello {
  /**
   * stable across restarts (e.g. host name + spool dir hash)
   */
  'agent_id'?: (string);
  /**
   * agent version, semver
   */
  'version'?: (string);
  /**
   * bearer token; empty when the aggregator requires none
   */
  'token'?: (string);
}

/**
 * First message of every stream.
 */
export interface Hello__Output {
  /**
   * stable across restarts (e.g. host name + spool dir hash)
   */
  'agent_id': (string);
  /**
   * agent version, semver
   */
  'version': (string);
  /**
   * bearer token; empty when the aggregator requires none
   */
  'token': (string);
}
