import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeadlockInspector } from './deadlock-inspector';
import { parseGoroutineDumpDebug2, type GoroutineDump } from './goroutine-dump';

const fixture = (name: string): GoroutineDump => parseGoroutineDumpDebug2(readFileSync(join(__dirname, '__fixtures__', name), 'utf8'));
const SECOND = 1_000;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

/** A Go 1.19-style mutex waiter: `semacquire`, the lock frames, then `fn` at `line`. */
function mutexWaiter(id: number, fn: string, { line = 10, header = '' } = {}): string {
  return [
    `goroutine ${id} [semacquire${header}]:`,
    'sync.runtime_SemacquireMutex(0xc0000a4008?, 0x0?, 0x1?)',
    '\t/usr/lib/go-1.19/src/runtime/sema.go:77 +0x25',
    'sync.(*Mutex).lockSlow(0xc0000a4000)',
    '\t/usr/lib/go-1.19/src/sync/mutex.go:171 +0x165',
    'sync.(*Mutex).Lock(...)',
    '\t/usr/lib/go-1.19/src/sync/mutex.go:90',
    `${fn}(0xc000010000)`,
    `\t/src/bank.go:${line} +0x6e`,
    'created by main.main',
    '\t/src/main.go:20 +0x85',
    '',
  ].join('\n');
}

const dump = (...blocks: string[]): GoroutineDump => parseGoroutineDumpDebug2(blocks.join('\n'));

describe('DeadlockInspector', () => {
  describe.each(['go1.19', 'go1.26'])('on real %s dumps of the fault fixture', (version) => {
    const deadlocked = fixture(`${version}-deadlock-debug2.txt`);

    it('reports both transfer handlers once two inspections 30 s apart saw them blocked, not before', () => {
      const inspector = new DeadlockInspector();
      expect(inspector.inspect(deadlocked, T0)).toBeUndefined();
      expect(inspector.inspect(deadlocked, T0 + 29.999 * SECOND)).toBeUndefined();
      const finding = inspector.inspect(deadlocked, T0 + 30 * SECOND);
      const state = version === 'go1.19' ? 'semacquire' : 'sync.Mutex.Lock';
      expect(finding?.kind).toBe('deadlock');
      expect(finding?.summary).toBe(
        `2 goroutines stuck acquiring locks for at least 30 s: main.handleTransferAB (${state}, 1), main.handleTransferBA (${state}, 1)`,
      );
      expect(finding?.stacks.map((s) => [s.frames.find((f) => f.startsWith('main.')), s.count, s.state, s.created_by])).toEqual([
        ['main.handleTransferAB', 1, state, 'net/http.(*Server).Serve'],
        ['main.handleTransferBA', 1, state, 'net/http.(*Server).Serve'],
      ]);
      expect(finding?.stacks[0].frames[0]).toBe('net/http.(*conn).serve'); // root first
    });

    it('reports the same stuck goroutines only once', () => {
      const inspector = new DeadlockInspector();
      const findings = [0, 30, 60, 90, 600].map((s) => inspector.inspect(deadlocked, T0 + s * SECOND));
      expect(findings.map((f) => f?.kind)).toEqual([undefined, 'deadlock', undefined, undefined, undefined]);
    });

    it('stays silent on dumps without lock waiters', () => {
      const inspector = new DeadlockInspector();
      for (const [i, scenario] of ['healthy', 'leak2', 'cgo'].entries()) {
        const d = fixture(`${version}-${scenario}-debug2.txt`);
        expect([inspector.inspect(d, T0 + i * 60 * SECOND), inspector.inspect(d, T0 + (i * 60 + 30) * SECOND)]).toEqual([undefined, undefined]);
      }
    });
  });

  it('reports at once goroutines whose header already says they waited minutes', () => {
    const inspector = new DeadlockInspector();
    const finding = inspector.inspect(dump(mutexWaiter(7, 'main.transfer', { header: ', 3 minutes' }), mutexWaiter(8, 'main.audit', { header: ', 2 minutes' })), T0);
    expect(finding?.summary).toBe('2 goroutines stuck acquiring locks for at least 2 minutes: main.audit (semacquire, 1), main.transfer (semacquire, 1)');
  });

  it('does not take a semacquire on a WaitGroup, or a short wait, for a deadlock', () => {
    const waitGroup = [
      'goroutine 9 [semacquire, 5 minutes]:',
      'sync.runtime_Semacquire(0xc0000a4008?)',
      '\t/usr/lib/go-1.19/src/runtime/sema.go:62 +0x25',
      'sync.(*WaitGroup).Wait(0x0?)',
      '\t/usr/lib/go-1.19/src/sync/waitgroup.go:139 +0x52',
      'main.run()',
      '\t/src/main.go:30 +0x1e',
      '',
    ].join('\n');
    const inspector = new DeadlockInspector();
    expect(inspector.inspect(dump(waitGroup, mutexWaiter(7, 'main.transfer')), T0)).toBeUndefined();
  });

  it('reads the explicit RWMutex wait reasons of newer Go', () => {
    const reader = [
      'goroutine 12 [sync.RWMutex.RLock, 1 minutes]:',
      'sync.runtime_SemacquireRWMutexR(0xc0000a4008?, 0x0?, 0x1?)',
      '\t/usr/local/go/src/runtime/sema.go:100 +0x25',
      'sync.(*RWMutex).RLock(...)',
      '\t/usr/local/go/src/sync/rwmutex.go:74',
      'main.(*Cache).Get(0xc000010000, {0x6d1a2e, 0x3})',
      '\t/src/cache.go:41 +0x6e',
      '',
    ].join('\n');
    const finding = new DeadlockInspector().inspect(dump(reader), T0);
    expect(finding?.summary).toBe('1 goroutine stuck acquiring locks for at least 1 minute: main.(*Cache).Get (sync.RWMutex.RLock, 1)');
  });

  it('starts over for a goroutine that was seen free, or blocked somewhere else, in between', () => {
    const inspector = new DeadlockInspector();
    expect(inspector.inspect(dump(mutexWaiter(7, 'main.transfer')), T0)).toBeUndefined();
    // Goroutine 7 got its lock, then blocked again on another line: a busy lock, not a stuck one.
    expect(inspector.inspect(dump(mutexWaiter(7, 'main.transfer', { line: 14 })), T0 + 30 * SECOND)).toBeUndefined();
    expect(inspector.inspect(dump(mutexWaiter(8, 'main.other')), T0 + 45 * SECOND)).toBeUndefined();
    expect(inspector.inspect(dump(mutexWaiter(7, 'main.transfer', { line: 14 })), T0 + 60 * SECOND)).toBeUndefined();
    expect(inspector.inspect(dump(mutexWaiter(7, 'main.transfer', { line: 14 })), T0 + 90 * SECOND)?.kind).toBe('deadlock');
  });

  it('reports again when the set of stuck goroutines changes', () => {
    const inspector = new DeadlockInspector();
    const one = dump(mutexWaiter(7, 'main.a'));
    const two = dump(mutexWaiter(7, 'main.a'), mutexWaiter(8, 'main.b'));
    expect(inspector.inspect(two, T0)).toBeUndefined();
    expect(inspector.inspect(one, T0 + 30 * SECOND)?.stacks).toHaveLength(1);
    expect(inspector.inspect(two, T0 + 40 * SECOND)).toBeUndefined(); // 8 starts over
    expect(inspector.inspect(two, T0 + 70 * SECOND)?.stacks).toHaveLength(2);
    expect(inspector.inspect(two, T0 + 100 * SECOND)).toBeUndefined();
  });

  it('keeps tracking goroutines missing from a truncated dump', () => {
    const inspector = new DeadlockInspector();
    inspector.inspect(dump(mutexWaiter(7, 'main.a'), mutexWaiter(8, 'main.b')), T0);
    const cut = `${mutexWaiter(7, 'main.a')}\ngoroutine 8 [semacq`;
    expect(parseGoroutineDumpDebug2(cut).truncated).toBe(true);
    expect(inspector.inspect(parseGoroutineDumpDebug2(cut), T0 + 10 * SECOND)).toBeUndefined();
    expect(inspector.inspect(dump(mutexWaiter(7, 'main.a'), mutexWaiter(8, 'main.b')), T0 + 30 * SECOND)?.stacks).toHaveLength(2);
  });

  it('stamps dumps inspected without a time with the injected clock', () => {
    let now = T0;
    const inspector = new DeadlockInspector({ clock: () => now, minStuckMs: 10 * SECOND });
    const d = dump(mutexWaiter(7, 'main.a'));
    expect(inspector.inspect(d)).toBeUndefined();
    now += 9 * SECOND;
    expect(inspector.inspect(d)).toBeUndefined();
    now += 1 * SECOND;
    expect(inspector.inspect(d)?.summary).toMatch(/^1 goroutine stuck acquiring locks for at least 10 s: main\.a /);
  });

  it('rejects a non-positive minStuckMs', () => {
    expect(() => new DeadlockInspector({ minStuckMs: 0 })).toThrow(RangeError);
  });
});
