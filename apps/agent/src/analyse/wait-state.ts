/**
 * Goroutine states: recognising the families of wait reasons Go prints, and inferring one for
 * `goroutine?debug=1` stacks, which carry no state at all.
 */
import { isCgoGlue, isRuntimeFunction } from './go-functions';

/**
 * The state given to a debug=1 stack parked directly from ordinary code. Go hides the leading
 * runtime frames there (gopark, chanrecv, selectgo), so a parked stack whose leaf is neither a
 * known non-channel parking point (netpoll, semaphores, sleep, syscalls) nor the runtime itself
 * is waiting in a channel operation or a select. A running goroutine preempted by the profile's
 * stop-the-world looks the same: that is why the leak detector also asks for steady growth.
 */
export const INFERRED_CHANNEL_WAIT = 'chan send/receive or select';

/** Channel operations and selects, in every spelling Go has used: `(nil chan)`, `(no cases)`, `(leaked)`, `(durable)`. */
export function isChannelWaitState(state: string): boolean {
  return state === INFERRED_CHANNEL_WAIT || /^(chan send|chan receive|select)\b/.test(state);
}

/** The explicit mutex wait reasons of Go ≥ 1.20; Go 1.19 says `semacquire` and only the frames tell. */
export function isMutexWaitState(state: string): boolean {
  return /^sync\.(Mutex\.Lock|RWMutex\.R?Lock)\b/.test(state);
}

export function isSemacquireState(state: string): boolean {
  return /^semacquire\b/.test(state);
}

export function isSyscallState(state: string): boolean {
  return /^syscall\b/.test(state);
}

/** Frames inside a sync.Mutex / sync.RWMutex acquisition, Go 1.19 (`sync.*`) to 1.24+ (`internal/sync.*`). */
export function isMutexAcquireFrame(fn: string): boolean {
  return (
    /^(internal\/)?sync\.\(\*(RW)?Mutex\)\.(R?Lock|lockSlow)$/.test(fn) ||
    /^(internal\/)?sync\.runtime_Semacquire(Mutex|RWMutexR?)$/.test(fn)
  );
}

const SEMACQUIRE_LEAF = /^(internal\/)?sync\.runtime_Semacquire/;
const SYSCALL_LEAF = /^(syscall\.|internal\/runtime\/syscall\.|internal\/syscall\/|golang\.org\/x\/sys\/unix\.)/;

/** A state for a debug=1 stack (root-first frames), spelled as debug=2 of a recent Go would. */
export function inferWaitState(frames: readonly string[]): string {
  const leaf = frames[frames.length - 1];
  if (leaf === undefined) return 'unknown';
  if (frames.some(isCgoGlue) || SYSCALL_LEAF.test(leaf) || leaf === 'os/signal.signal_recv') return 'syscall';
  if (leaf === 'internal/poll.runtime_pollWait') return 'IO wait';
  if (SEMACQUIRE_LEAF.test(leaf)) {
    if (frames.includes('sync.(*RWMutex).RLock')) return 'sync.RWMutex.RLock';
    if (frames.includes('sync.(*RWMutex).Lock')) return 'sync.RWMutex.Lock';
    if (frames.some(isMutexAcquireFrame)) return 'sync.Mutex.Lock';
    if (frames.includes('sync.(*WaitGroup).Wait')) return 'sync.WaitGroup.Wait';
    return 'semacquire';
  }
  if (leaf === 'sync.runtime_notifyListWait') return 'sync.Cond.Wait';
  if (leaf === 'time.Sleep') return 'sleep';
  // The goroutine serving the profile request itself.
  if (leaf.startsWith('runtime/pprof.')) return 'running';
  if (isRuntimeFunction(leaf)) return 'unknown';
  return INFERRED_CHANNEL_WAIT;
}
