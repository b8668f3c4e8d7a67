// Original file: proto/stackwatch/v1/ingest.proto

export const TargetState = {
  TARGET_STATE_UNSPECIFIED: 'TARGET_STATE_UNSPECIFIED',
  TARGET_STATE_UP: 'TARGET_STATE_UP',
  /**
   * stopped answering
   */
  TARGET_STATE_DOWN: 'TARGET_STATE_DOWN',
  /**
   * new pid or counters reset
   */
  TARGET_STATE_RESTARTED: 'TARGET_STATE_RESTARTED',
  /**
   * watched without /proc access, or answering garbage
   */
  TARGET_STATE_DEGRADED: 'TARGET_STATE_DEGRADED',
} as const;

export type TargetState =
  | 'TARGET_STATE_UNSPECIFIED'
  | 0
  | 'TARGET_STATE_UP'
  | 1
  /**
   * stopped answering
   */
  | 'TARGET_STATE_DOWN'
  | 2
  /**
   * new pid or counters reset
   */
  | 'TARGET_STATE_RESTARTED'
  | 3
  /**
   * watched without /proc access, or answering garbage
   */
  | 'TARGET_STATE_DEGRADED'
  | 4

export type TargetState__Output = typeof TargetState[keyof typeof TargetState]
