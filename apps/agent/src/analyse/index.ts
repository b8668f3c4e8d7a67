// The analysis stage: goroutine dumps in, findings (goroutine_leak, deadlock, thread_block) out.
export {
  GoroutineDumpError,
  parseGoroutineDumpDebug2,
  parseGoroutineProfileDebug1,
  type Goroutine,
  type GoroutineDump,
  type GoroutineProfile,
  type ProfileGroup,
} from './goroutine-dump';
export type { PprofLabels } from './pprof-labels';
export {
  groupGoroutines,
  groupProfile,
  isBlockedOnChannel,
  isBlockedOnMutex,
  isInCgo,
  isInCgoOrSyscall,
  stackKey,
  type StackGroup,
  type StackLike,
} from './group';
export { INFERRED_CHANNEL_WAIT, inferWaitState } from './wait-state';
export { GoroutineLeakDetector, type GoroutineLeakDetectorOptions } from './leak-detector';
export { findingFromGoroutineLeakProfile } from './goroutine-leak-profile';
export { DeadlockInspector, type DeadlockInspectorOptions } from './deadlock-inspector';
export { findThreadBlocks, callingFunction, type ThreadBlockOptions } from './thread-block';
export type { AnalysedStack, AnalysisFinding } from './finding';
