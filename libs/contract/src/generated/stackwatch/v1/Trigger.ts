// Original file: proto/stackwatch/v1/ingest.proto

import type { RuleTrigger as _stackwatch_v1_RuleTrigger, RuleTrigger__Output as _stackwatch_v1_RuleTrigger__Output } from '../../stackwatch/v1/RuleTrigger';
import type { Baseline as _stackwatch_v1_Baseline, Baseline__Output as _stackwatch_v1_Baseline__Output } from '../../stackwatch/v1/Baseline';

/**
 * Why a profile was captured: a rule that fired, or the periodic baseline.
 */
export interface Trigger {
  'rule'?: (_stackwatch_v1_RuleTrigger | null);
  'baseline'?: (_stackwatch_v1_Baseline | null);
  'kind'?: "rule"|"baseline";
}

/**
 * Why a profile was captured: a rule that fired, or the periodic baseline.
 */
export interface Trigger__Output {
  'rule'?: (_stackwatch_v1_RuleTrigger__Output | null);
  'baseline'?: (_stackwatch_v1_Baseline__Output | null);
  'kind'?: "rule"|"baseline";
}
