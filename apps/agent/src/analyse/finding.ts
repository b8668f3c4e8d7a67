/**
 * The wire shapes the analyses produce: contract `Finding` / `StackCount`, with every field set
 * (the contract leaves them optional because protobuf does).
 */
import type { Finding, FindingKind, StackCount } from '@stackwatch/contract';

export interface AnalysedStack extends StackCount {
  /** Function names, root first. */
  frames: string[];
  count: number;
  state: string;
  /** Creating function; '' when unknown (debug=1 does not say). */
  created_by: string;
}

export interface AnalysisFinding extends Finding {
  kind: FindingKind;
  summary: string;
  stacks: AnalysedStack[];
}

export function analysedStack(stack: {
  readonly frames: readonly string[];
  readonly count: number;
  readonly state: string;
  readonly createdBy?: string;
}): AnalysedStack {
  return { frames: [...stack.frames], count: stack.count, state: stack.state, created_by: stack.createdBy ?? '' };
}

/** "1 goroutine", "2 goroutines". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
