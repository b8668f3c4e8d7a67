// Original file: proto/stackwatch/v1/ingest.proto


/**
 * A watched Go process.
 */
export interface Target {
  'service'?: (string);
  'instance'?: (string);
  'labels'?: ({[key: string]: string});
  /**
   * 0 when unknown (another pid namespace)
   */
  'pid'?: (number);
  /**
   * e.g. "go1.26.8"; empty when unknown
   */
  'go_version'?: (string);
  /**
   * base URL of its pprof endpoints, as the agent reaches it
   */
  'url'?: (string);
}

/**
 * A watched Go process.
 */
export interface Target__Output {
  'service': (string);
  'instance': (string);
  'labels': ({[key: string]: string});
  /**
   * 0 when unknown (another pid namespace)
   */
  'pid': (number);
  /**
   * e.g. "go1.26.8"; empty when unknown
   */
  'go_version': (string);
  /**
   * base URL of its pprof endpoints, as the agent reaches it
   */
  'url': (string);
}
