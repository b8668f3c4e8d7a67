/**
 * Goroutines grouped by (state, stack), and the three questions the analyses ask of a stack:
 * blocked on a channel? blocked acquiring a mutex? holding a thread in cgo or a syscall?
 */
import { isCgoGlue, withoutRuntimeFrames } from './go-functions';
import type { Goroutine, GoroutineProfile } from './goroutine-dump';
import {
  inferWaitState,
  isChannelWaitState,
  isMutexAcquireFrame,
  isMutexWaitState,
  isSemacquireState,
  isSyscallState,
} from './wait-state';

/** What the predicates need: a state and root-first function names. */
export interface StackLike {
  readonly state: string;
  readonly frames: readonly string[];
}

export interface StackGroup extends StackLike {
  readonly count: number;
  /** The first creator seen for this stack (debug=2 only). */
  readonly createdBy?: string;
  /** Ids of the goroutines in the group (debug=2 only; empty for debug=1). */
  readonly goroutineIds: readonly number[];
  /** The state was inferred from the frames (debug=1), not printed by Go. */
  readonly stateInferred: boolean;
}

/** Groups a debug=2 dump's goroutines by state and function names, largest group first. */
export function groupGoroutines(goroutines: readonly Goroutine[]): StackGroup[] {
  const groups = new Map<string, { state: string; frames: readonly string[]; createdBy?: string; ids: number[] }>();
  for (const g of goroutines) {
    const key = groupKey(g.state, g.frames);
    const group = groups.get(key);
    if (group) group.ids.push(g.id);
    else groups.set(key, { state: g.state, frames: g.frames, ...(g.createdBy ? { createdBy: g.createdBy } : {}), ids: [g.id] });
  }
  return sortGroups(
    [...groups.values()].map((g) => ({
      state: g.state,
      frames: g.frames,
      count: g.ids.length,
      ...(g.createdBy ? { createdBy: g.createdBy } : {}),
      goroutineIds: g.ids,
      stateInferred: false,
    })),
  );
}

/**
 * Groups a debug=1 profile's stacks the same way. Go groups them by program counters and labels,
 * so one function stack can appear several times (another line, other labels): those merge here.
 * States are inferred from the frames (see {@link inferWaitState}).
 */
export function groupProfile(profile: GoroutineProfile): StackGroup[] {
  const groups = new Map<string, { state: string; frames: readonly string[]; count: number }>();
  for (const g of profile.groups) {
    const state = inferWaitState(g.frames);
    const key = groupKey(state, g.frames);
    const group = groups.get(key);
    if (group) group.count += g.count;
    else groups.set(key, { state, frames: g.frames, count: g.count });
  }
  return sortGroups([...groups.values()].map((g) => ({ ...g, goroutineIds: [], stateInferred: true })));
}

function groupKey(state: string, frames: readonly string[]): string {
  return `${state}\n${frames.join('\n')}`;
}

function sortGroups(groups: StackGroup[]): StackGroup[] {
  return groups.sort((a, b) => b.count - a.count || stackKey(a.frames).localeCompare(stackKey(b.frames)));
}

/**
 * Identity of a stack across dumps and formats: its function names without the runtime's own
 * frames, which debug=1 and debug=2 hide differently (`runtime.main`, `runtime.goexit`).
 */
export function stackKey(frames: readonly string[]): string {
  return withoutRuntimeFrames(frames).join('\n');
}

/** Waiting in a channel send/receive or a select, nil channels and empty selects included. */
export function isBlockedOnChannel(stack: StackLike): boolean {
  return isChannelWaitState(stack.state);
}

/**
 * Waiting to acquire a sync.Mutex or sync.RWMutex: the explicit wait reasons of Go ≥ 1.20, or
 * Go 1.19's generic `semacquire` when the frames show a lock acquisition (and not, say, a
 * WaitGroup).
 */
export function isBlockedOnMutex(stack: StackLike): boolean {
  if (isMutexWaitState(stack.state)) return true;
  return isSemacquireState(stack.state) && stack.frames.some(isMutexAcquireFrame);
}

/** In a syscall, or in C through cgo (which Go reports as `syscall` too), pinning an OS thread. */
export function isInCgoOrSyscall(stack: StackLike): boolean {
  return isSyscallState(stack.state) || stack.frames.some(isCgoGlue);
}

/** In C through cgo, rather than in a plain syscall. */
export function isInCgo(stack: StackLike): boolean {
  return stack.frames.some(isCgoGlue);
}
