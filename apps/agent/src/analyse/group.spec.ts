import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoroutineDumpDebug2, parseGoroutineProfileDebug1 } from './goroutine-dump';
import { groupGoroutines, groupProfile, isBlockedOnChannel, isBlockedOnMutex, isInCgoOrSyscall, stackKey } from './group';
import { INFERRED_CHANNEL_WAIT, inferWaitState } from './wait-state';

const fixture = (name: string): string => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

const GO119_MUTEX = ['main.handle', 'sync.(*Mutex).Lock', 'sync.(*Mutex).lockSlow', 'sync.runtime_SemacquireMutex'];
const GO126_MUTEX = ['main.handle', 'sync.(*Mutex).Lock', 'internal/sync.(*Mutex).Lock', 'internal/sync.(*Mutex).lockSlow', 'internal/sync.runtime_SemacquireMutex'];
const GO119_RLOCK = ['main.read', 'sync.(*RWMutex).RLock', 'sync.runtime_SemacquireMutex'];
const GO126_RLOCK = ['main.read', 'sync.(*RWMutex).RLock', 'sync.runtime_SemacquireRWMutexR'];
const WAITGROUP = ['main.run', 'sync.(*WaitGroup).Wait', 'sync.runtime_Semacquire'];
const CGO = ['main.blockInCgo', 'main._Cfunc_stackwatch_block_in_c'];
const CGO_SYSTEM = ['main.blockInCgo', 'main._Cfunc_stackwatch_block_in_c', 'runtime.cgocall', 'runtime.asmcgocall'];
const USER = ['main.worker'];

describe('stack predicates, for every wait reason form', () => {
  it.each([
    // state, frames, channel, mutex, cgo/syscall
    ['chan receive', USER, true, false, false],
    ['chan send', USER, true, false, false],
    ['chan receive (nil chan)', USER, true, false, false],
    ['chan send (nil chan)', USER, true, false, false],
    ['chan receive (leaked)', USER, true, false, false],
    ['chan receive (durable)', USER, true, false, false],
    ['select', USER, true, false, false],
    ['select (no cases)', USER, true, false, false],
    ['select (durable)', USER, true, false, false],
    [INFERRED_CHANNEL_WAIT, USER, true, false, false],
    ['semacquire', GO119_MUTEX, false, true, false],
    ['semacquire', GO119_RLOCK, false, true, false],
    ['semacquire', WAITGROUP, false, false, false],
    ['semacquire', USER, false, false, false],
    ['sync.Mutex.Lock', GO126_MUTEX, false, true, false],
    ['sync.RWMutex.RLock', GO126_RLOCK, false, true, false],
    ['sync.RWMutex.Lock', ['main.write', 'sync.(*RWMutex).Lock', 'sync.runtime_SemacquireRWMutex'], false, true, false],
    ['sync.Mutex.Lock', [], false, true, false],
    ['sync.WaitGroup.Wait', WAITGROUP, false, false, false],
    ['sync.Cond.Wait', ['main.wait', 'sync.(*Cond).Wait', 'sync.runtime_notifyListWait'], false, false, false],
    ['syscall', CGO, false, false, true],
    ['syscall', ['main.read', 'os.(*File).Read', 'syscall.read', 'syscall.Syscall'], false, false, true],
    ['running', CGO_SYSTEM, false, false, true],
    ['IO wait', ['main.serve', 'internal/poll.runtime_pollWait'], false, false, false],
    ['sleep', ['main.tick', 'time.Sleep'], false, false, false],
    ['running', USER, false, false, false],
    ['runnable', USER, false, false, false],
    ['GC worker (idle)', [], false, false, false],
    ['preempted', USER, false, false, false],
  ])('[%s] %j → channel %s, mutex %s, cgo/syscall %s', (state, frames, channel, mutex, cgo) => {
    const stack = { state, frames };
    expect([isBlockedOnChannel(stack), isBlockedOnMutex(stack), isInCgoOrSyscall(stack)]).toEqual([channel, mutex, cgo]);
  });
});

describe('inferWaitState (debug=1 stacks carry no state)', () => {
  it.each([
    [USER, INFERRED_CHANNEL_WAIT],
    [['net/http.(*Transport).dialConn', 'net/http.(*persistConn).writeLoop'], INFERRED_CHANNEL_WAIT],
    [GO119_MUTEX, 'sync.Mutex.Lock'],
    [GO126_MUTEX, 'sync.Mutex.Lock'],
    [GO119_RLOCK, 'sync.RWMutex.RLock'],
    [GO126_RLOCK, 'sync.RWMutex.RLock'],
    [['main.write', 'sync.(*RWMutex).Lock', 'sync.runtime_SemacquireRWMutex'], 'sync.RWMutex.Lock'],
    [WAITGROUP, 'sync.WaitGroup.Wait'],
    [['main.acquire', 'golang.org/x/sync/semaphore.(*Weighted).Acquire', 'sync.runtime_Semacquire'], 'semacquire'],
    [['main.wait', 'sync.(*Cond).Wait', 'sync.runtime_notifyListWait'], 'sync.Cond.Wait'],
    [['main.serve', 'internal/poll.runtime_pollWait'], 'IO wait'],
    [['main.tick', 'time.Sleep'], 'sleep'],
    [CGO, 'syscall'],
    [['os/signal.loop', 'os/signal.signal_recv'], 'syscall'],
    [['main.read', 'syscall.Syscall'], 'syscall'],
    [['net/http.(*conn).serve', 'runtime/pprof.writeRuntimeProfile'], 'running'],
    [['runtime.gopark'], 'unknown'],
    [[], 'unknown'],
  ])('%j → %s', (frames, state) => {
    expect(inferWaitState(frames)).toBe(state);
  });
});

describe('grouping', () => {
  it('groups goroutines by state and stack, largest first, with their ids and creator', () => {
    const g = (id: number, state: string, frames: string[], createdBy?: string) => ({
      id, state, frames, waitMinutes: 0, lockedToThread: false, locations: frames.map(() => 'a.go:1'), framesElided: false,
      ...(createdBy ? { createdBy } : {}),
    });
    const groups = groupGoroutines([
      g(1, 'select', ['main.main']),
      g(2, 'chan receive', ['main.consume'], 'main.start'),
      g(3, 'chan receive', ['main.consume'], 'main.start'),
      g(4, 'chan send', ['main.consume']),
    ]);
    expect(groups).toEqual([
      { state: 'chan receive', frames: ['main.consume'], count: 2, createdBy: 'main.start', goroutineIds: [2, 3], stateInferred: false },
      { state: 'chan send', frames: ['main.consume'], count: 1, goroutineIds: [4], stateInferred: false },
      { state: 'select', frames: ['main.main'], count: 1, goroutineIds: [1], stateInferred: false },
    ]);
  });

  it.each(['go1.19', 'go1.26'])('%s: debug=1 and debug=2 of the same leak agree on stacks and counts', (version) => {
    const fromProfile = groupProfile(parseGoroutineProfileDebug1(fixture(`${version}-leak2-debug1.txt`))).filter(isBlockedOnChannel);
    const fromDump = groupGoroutines(parseGoroutineDumpDebug2(fixture(`${version}-leak2-debug2.txt`)).goroutines).filter(isBlockedOnChannel);
    const summary = (groups: typeof fromDump) => new Map(groups.filter((g) => g.count >= 100).map((g) => [stackKey(g.frames), g.count]));
    expect(summary(fromProfile)).toEqual(new Map([['main.leakyConsumer', 100], ['main.leakyProducer', 100]]));
    expect(summary(fromDump)).toEqual(summary(fromProfile));
    expect(fromProfile.every((g) => g.stateInferred)).toBe(true);
  });

  it.each(['go1.19', 'go1.26'])('%s: the deadlocked handlers are mutex waiters in both formats', (version) => {
    const handlers = ['main.handleTransferAB', 'main.handleTransferBA'];
    const waiting = (groups: ReturnType<typeof groupProfile>) =>
      groups.filter(isBlockedOnMutex).flatMap((g) => g.frames.filter((f) => handlers.includes(f))).sort();
    expect(waiting(groupProfile(parseGoroutineProfileDebug1(fixture(`${version}-deadlock-debug1.txt`))))).toEqual(handlers);
    expect(waiting(groupGoroutines(parseGoroutineDumpDebug2(fixture(`${version}-deadlock-debug2.txt`)).goroutines))).toEqual(handlers);
  });

  it.each(['go1.19', 'go1.26'])('%s: the healthy dumps have no mutex waiter and only the signal loop in a syscall', (version) => {
    const { goroutines } = parseGoroutineDumpDebug2(fixture(`${version}-leak0-debug2.txt`));
    expect(goroutines.filter(isBlockedOnMutex)).toEqual([]);
    expect(goroutines.filter(isInCgoOrSyscall).map((g) => g.frames.at(-1))).toEqual(['os/signal.signal_recv']);
  });
});
