import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoroutineDumpDebug2, parseGoroutineProfileDebug1, type GoroutineProfile } from './goroutine-dump';
import { findingFromGoroutineLeakProfile } from './goroutine-leak-profile';
import { GoroutineLeakDetector } from './leak-detector';

const fixture = (name: string): string => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

/** A debug=1 profile with one group per entry: [count, leaf function]. */
function profile(...groups: [number, string][]): GoroutineProfile {
  const body = groups.map(([count, fn], i) => `${count} @ 0x1 0x${(i + 2).toString(16)}\n#\t0x${(i + 2).toString(16)}\t${fn}+0x1\t/src/main.go:${i + 1}\n`);
  return parseGoroutineProfileDebug1(`goroutine profile: total ${groups.reduce((s, [c]) => s + c, 0)}\n${body.join('\n')}`);
}

/** Observes each profile in turn; returns what each observation reported. */
function feed(detector: GoroutineLeakDetector, ...profiles: GoroutineProfile[]) {
  return profiles.map((p) => detector.observe(p));
}

describe('GoroutineLeakDetector', () => {
  it('reports a channel-blocked stack that grew at each of the last 3 dumps', () => {
    const findings = feed(
      new GoroutineLeakDetector(),
      profile([1, 'main.main'], [10, 'main.consume']),
      profile([1, 'main.main'], [110, 'main.consume']),
      profile([1, 'main.main'], [410, 'main.consume']),
    );
    expect(findings.slice(0, 2)).toEqual([undefined, undefined]);
    expect(findings[2]).toEqual({
      kind: 'goroutine_leak',
      summary: '1 stack grew by 400 goroutines blocked on channels over the last 3 dumps: main.consume (chan send/receive or select, 10→110→410)',
      stacks: [{ frames: ['main.consume'], count: 410, state: 'chan send/receive or select', created_by: '' }],
    });
  });

  it.each([
    ['stable', [100, 100, 100]],
    ['shrinking', [300, 200, 100]],
    ['up then down', [100, 300, 200]],
    ['flat then up', [100, 100, 400]],
    ['growing by less than minGrowth', [100, 105, 119]],
  ])('stays silent for a %s stack', (_what, counts) => {
    const findings = feed(new GoroutineLeakDetector(), ...counts.map((c) => profile([c, 'main.consume'])));
    expect(findings).toEqual([undefined, undefined, undefined]);
  });

  it('ignores growing stacks that are not blocked on channels', () => {
    const grow = (n: number) =>
      profile([n, 'internal/poll.runtime_pollWait'], [n, 'time.Sleep'], [n, 'sync.runtime_SemacquireMutex'], [n, 'main._Cfunc_sleep']);
    expect(feed(new GoroutineLeakDetector(), grow(10), grow(100), grow(1000))).toEqual([undefined, undefined, undefined]);
  });

  it('counts a stack absent from earlier dumps as zero there', () => {
    const [, , finding] = feed(new GoroutineLeakDetector(), profile([1, 'main.main']), profile([50, 'main.consume']), profile([100, 'main.consume']));
    expect(finding?.summary).toContain('main.consume (chan send/receive or select, 0→50→100)');
  });

  it('needs a full window: with window 4, three rising dumps are not enough', () => {
    const detector = new GoroutineLeakDetector({ window: 4, minGrowth: 10 });
    expect(feed(detector, profile([10, 'main.c']), profile([20, 'main.c']), profile([30, 'main.c']))).toEqual([undefined, undefined, undefined]);
    expect(detector.observe(profile([40, 'main.c']))?.summary).toContain('10→20→30→40');
  });

  it('reports a stack again only once it has grown by minGrowth more', () => {
    const detector = new GoroutineLeakDetector({ minGrowth: 50 });
    const counts = [0, 50, 100, 120, 160, 200];
    const reported = counts.map((c) => detector.observe(profile([1, 'main.main'], [c, 'main.c']))?.stacks[0].count);
    expect(reported).toEqual([undefined, undefined, 100, undefined, 160, undefined]);
  });

  it('rejects a window under 3 and a minGrowth under 1', () => {
    expect(() => new GoroutineLeakDetector({ window: 2 })).toThrow(RangeError);
    expect(() => new GoroutineLeakDetector({ minGrowth: 0 })).toThrow(RangeError);
  });

  describe.each(['go1.19', 'go1.26'])('on real %s dumps of the fault fixture', (version) => {
    const scenarios = ['leak0', 'leak1', 'leak2'];

    it('finds main.leakyConsumer and main.leakyProducer from debug=1 alone', () => {
      const detector = new GoroutineLeakDetector();
      const findings = scenarios.map((s) => detector.observe(parseGoroutineProfileDebug1(fixture(`${version}-${s}-debug1.txt`))));
      expect(findings.slice(0, 2)).toEqual([undefined, undefined]);
      expect(findings[2]?.summary).toBe(
        '2 stacks grew by 200 goroutines blocked on channels over the last 3 dumps: ' +
          'main.leakyConsumer (chan send/receive or select, 0→50→100), main.leakyProducer (chan send/receive or select, 0→50→100)',
      );
    });

    it('says how each waits and who created it from debug=2', () => {
      const detector = new GoroutineLeakDetector();
      const findings = scenarios.map((s) => detector.observe(parseGoroutineDumpDebug2(fixture(`${version}-${s}-debug2.txt`))));
      expect(findings[2]?.stacks).toEqual([
        { frames: ['main.leakyConsumer'], count: 100, state: 'chan receive', created_by: 'main.handleLeak' },
        { frames: ['main.leakyProducer'], count: 100, state: 'chan send', created_by: 'main.handleLeak' },
      ]);
      expect(findings[2]?.summary).toContain('main.leakyConsumer (chan receive, 0→50→100), main.leakyProducer (chan send, 0→50→100)');
    });

    it('keeps what a debug=2 dump told it for later debug=1 dumps', () => {
      const detector = new GoroutineLeakDetector();
      detector.observe(parseGoroutineProfileDebug1(fixture(`${version}-leak0-debug1.txt`)));
      detector.observe(parseGoroutineDumpDebug2(fixture(`${version}-leak1-debug2.txt`)));
      const finding = detector.observe(parseGoroutineProfileDebug1(fixture(`${version}-leak2-debug1.txt`)));
      expect(finding?.stacks.map((s) => [s.frames[0], s.state, s.created_by])).toEqual([
        ['main.leakyConsumer', 'chan receive', 'main.handleLeak'],
        ['main.leakyProducer', 'chan send', 'main.handleLeak'],
      ]);
    });

    it('stays silent on the other real dumps (healthy, deadlock, cgo), whatever their order', () => {
      const others = ['healthy', 'deadlock', 'cgo', 'leak0', 'healthy'];
      const detector = new GoroutineLeakDetector();
      expect(others.map((s) => detector.observe(parseGoroutineDumpDebug2(fixture(`${version}-${s}-debug2.txt`))))).toEqual(others.map(() => undefined));
    });
  });
});

describe('findingFromGoroutineLeakProfile', () => {
  it('reports every stack of a Go 1.26 goroutineleak?debug=1 profile', () => {
    expect(findingFromGoroutineLeakProfile(fixture('go1.26-goroutineleak-debug1.txt'))).toEqual({
      kind: 'goroutine_leak',
      summary:
        "Go's goroutineleak profile reports 10 leaked goroutines in 2 stacks: " +
        'main.leakyConsumer (chan send/receive or select (leaked), 5), main.leakyProducer (chan send/receive or select (leaked), 5)',
      stacks: [
        { frames: ['main.leakyConsumer'], count: 5, state: 'chan send/receive or select (leaked)', created_by: '' },
        { frames: ['main.leakyProducer'], count: 5, state: 'chan send/receive or select (leaked)', created_by: '' },
      ],
    });
  });

  it('reports only the goroutines marked (leaked) in goroutineleak?debug=2, with exact states and creators', () => {
    const finding = findingFromGoroutineLeakProfile(fixture('go1.26-goroutineleak-debug2.txt'));
    expect(finding?.stacks).toEqual([
      { frames: ['main.leakyConsumer'], count: 5, state: 'chan receive (leaked)', created_by: 'main.handleLeak' },
      { frames: ['main.leakyProducer'], count: 5, state: 'chan send (leaked)', created_by: 'main.handleLeak' },
    ]);
    // The deadlocked handlers in the same dump are not leaks: their mutexes stay reachable.
    expect(finding?.summary).not.toContain('handleTransfer');
  });

  it('returns undefined when nothing leaked', () => {
    expect(findingFromGoroutineLeakProfile('goroutineleak profile: total 0\n')).toBeUndefined();
    expect(findingFromGoroutineLeakProfile(fixture('go1.26-leak0-debug2.txt'))).toBeUndefined();
  });
});
