import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GoroutineDumpError, parseGoroutineDumpDebug2, parseGoroutineProfileDebug1, type Goroutine } from './goroutine-dump';

const fixture = (name: string): string => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const VERSIONS = ['go1.19', 'go1.26'] as const;
const SCENARIOS = ['leak0', 'leak1', 'leak2', 'deadlock', 'cgo', 'healthy'] as const;
/** Dump text from lines; `\t` written out so the structure stays visible. */
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

function only(goroutines: readonly Goroutine[], frame: string): Goroutine[] {
  return goroutines.filter((g) => g.frames.includes(frame));
}

describe('parseGoroutineDumpDebug2 on real dumps', () => {
  describe.each(VERSIONS)('%s', (version) => {
    it.each(SCENARIOS)('reads every goroutine of the %s dump, nothing skipped', (scenario) => {
      const text = fixture(`${version}-${scenario}-debug2.txt`);
      const dump = parseGoroutineDumpDebug2(text);
      expect(dump.truncated).toBe(false);
      expect(dump.skippedLines).toBe(0);
      expect(dump.goroutines).toHaveLength(text.match(/^goroutine \d+ /gm)!.length);
      for (const g of dump.goroutines) {
        expect(g.frames.length).toBeGreaterThan(0);
        expect(g.locations).toHaveLength(g.frames.length);
        expect(g.frames.filter((f) => f.endsWith(')'))).toEqual([]);
        // Only the main goroutine has no creator.
        expect(g.createdBy === undefined).toBe(g.id === 1);
      }
      // The goroutine writing the dump is the one running.
      expect(dump.goroutines[0]).toMatchObject({ state: 'running', waitMinutes: 0, lockedToThread: false });
      expect(dump.goroutines[0].frames.at(-1)).toBe('runtime/pprof.writeGoroutineStacks');
    });

    it('reads the leaked goroutines root-first, with where they were created', () => {
      const { goroutines } = parseGoroutineDumpDebug2(fixture(`${version}-leak2-debug2.txt`));
      const consumers = only(goroutines, 'main.leakyConsumer');
      const producers = only(goroutines, 'main.leakyProducer');
      expect(consumers).toHaveLength(100);
      expect(producers).toHaveLength(100);
      expect(consumers[0]).toMatchObject({ state: 'chan receive', frames: ['main.leakyConsumer'], createdBy: 'main.handleLeak' });
      expect(producers[0]).toMatchObject({ state: 'chan send', frames: ['main.leakyProducer'], createdBy: 'main.handleLeak' });
      expect(consumers[0].locations[0]).toMatch(/faults\.go:154$/);
      expect(consumers[0].createdAt).toMatch(/faults\.go:134$/);
      // Go 1.21 added the creator's id to "created by".
      if (version === 'go1.19') expect(consumers[0].creatorGoroutine).toBeUndefined();
      else expect(consumers[0].creatorGoroutine).toEqual(expect.any(Number));
    });

    it('reads the deadlocked handlers with the lock frames of this Go', () => {
      const { goroutines } = parseGoroutineDumpDebug2(fixture(`${version}-deadlock-debug2.txt`));
      const [ab] = only(goroutines, 'main.handleTransferAB');
      const lockFrames =
        version === 'go1.19'
          ? ['sync.(*Mutex).Lock', 'sync.(*Mutex).lockSlow', 'sync.runtime_SemacquireMutex']
          : ['sync.(*Mutex).Lock', 'internal/sync.(*Mutex).Lock', 'internal/sync.(*Mutex).lockSlow', 'internal/sync.runtime_SemacquireMutex'];
      expect(ab.state).toBe(version === 'go1.19' ? 'semacquire' : 'sync.Mutex.Lock');
      expect(ab.frames.slice(-1 - lockFrames.length)).toEqual(['main.handleTransferAB', ...lockFrames]);
      expect(ab.frames[0]).toBe('net/http.(*conn).serve');
      expect(ab.createdBy).toBe('net/http.(*Server).Serve');
    });

    it('reads the cgo calls, whose generated wrapper has a relative file name', () => {
      const calls = only(parseGoroutineDumpDebug2(fixture(`${version}-cgo-debug2.txt`)).goroutines, 'main.blockInCgo');
      expect(calls).toHaveLength(10);
      expect(calls[0]).toMatchObject({ state: 'syscall', frames: ['main.blockInCgo', 'main._Cfunc_stackwatch_block_in_c'], createdBy: 'main.handleCgo' });
      expect(calls[0].locations[1]).toMatch(/^_cgo_gotypes\.go:\d+$/);
    });
  });
});

describe('parseGoroutineProfileDebug1 on real dumps', () => {
  describe.each(VERSIONS)('%s', (version) => {
    it.each(SCENARIOS)('reads the %s profile: counts add up to the total', (scenario) => {
      const profile = parseGoroutineProfileDebug1(fixture(`${version}-${scenario}-debug1.txt`));
      expect(profile.name).toBe('goroutine');
      expect(profile.skippedLines).toBe(0);
      expect(profile.groups.reduce((sum, g) => sum + g.count, 0)).toBe(profile.total);
      for (const g of profile.groups) {
        expect(g.locations).toHaveLength(g.frames.length);
        expect(g.pcs.length).toBeGreaterThan(0);
      }
    });

    it('splits tab-aligned frame lines: function without offset, file:line', () => {
      const profile = parseGoroutineProfileDebug1(fixture(`${version}-leak2-debug1.txt`));
      const consumer = profile.groups.find((g) => g.frames.includes('main.leakyConsumer'));
      expect(consumer).toMatchObject({ count: 100, frames: ['main.leakyConsumer'] });
      expect(consumer?.locations[0]).toMatch(/^\/.*\/faults\.go:154$/);
      const deadlock = parseGoroutineProfileDebug1(fixture(`${version}-deadlock-debug1.txt`));
      const ab = deadlock.groups.find((g) => g.frames.includes('main.handleTransferAB'));
      expect(ab?.frames[0]).toBe('net/http.(*conn).serve'); // root first
      expect(ab?.frames.at(-1)).toMatch(/^(internal\/)?sync\.runtime_SemacquireMutex$/);
    });
  });

  it('reads the goroutineleak profile of Go 1.26 (GOEXPERIMENT=goroutineleakprofile)', () => {
    const profile = parseGoroutineProfileDebug1(fixture('go1.26-goroutineleak-debug1.txt'));
    expect(profile).toMatchObject({ name: 'goroutineleak', total: 10 });
    expect(profile.groups.map((g) => [g.count, g.frames])).toEqual([
      [5, ['main.leakyProducer']],
      [5, ['main.leakyConsumer']],
    ]);
  });

  it('reads labels, unsymbolized frames, names with spaces and stacks without frames', () => {
    const profile = parseGoroutineProfileDebug1(
      lines(
        'goroutine profile: total 4',
        '3 @ 0x43bf96 0x6b9c65 0x46c941',
        '# labels: {"handler":"/api/work", "tenant":"a\\"b"}',
        '#\t0x6b9c64\tmain.worker+0x44\t\t/src/main.go:154',
        '#\t0x6b9000',
        '#\t0x6b8000\ttype:.eq.[2]interface {}+0x10\t<autogenerated>:1',
        '',
        '1 @ 0x46c941',
        '',
      ),
    );
    expect(profile.groups).toEqual([
      {
        count: 3,
        pcs: ['0x43bf96', '0x6b9c65', '0x46c941'],
        labels: { handler: '/api/work', tenant: 'a"b' },
        frames: ['type:.eq.[2]interface {}', '0x6b9000', 'main.worker'],
        locations: ['<autogenerated>:1', '', '/src/main.go:154'],
      },
      { count: 1, pcs: ['0x46c941'], frames: [], locations: [] },
    ]);
  });

  it('reads CRLF text and a profile without a trailing blank line', () => {
    const profile = parseGoroutineProfileDebug1('goroutine profile: total 1\r\n1 @ 0x1 0x2\r\n#\t0x1\tmain.f+0x1\t/a.go:3');
    expect(profile.groups).toEqual([{ count: 1, pcs: ['0x1', '0x2'], frames: ['main.f'], locations: ['/a.go:3'] }]);
  });

  it('skips comment lines it does not know, and counts them', () => {
    const profile = parseGoroutineProfileDebug1(lines('goroutine profile: total 1', '1 @ 0x1', '# some future annotation', '#\t0x1\tmain.f+0x1\t/a.go:3'));
    expect(profile.skippedLines).toBe(1);
    expect(profile.groups[0].frames).toEqual(['main.f']);
  });

  it.each([
    ['a debug=2 dump', 'goroutine 1 [running]:\nmain.main()\n', /^line 1: expected "<name> profile: total N" \(this is debug=2 output\)/],
    ['empty text', '', /^line 1: expected "<name> profile: total N"/],
    ['a heap profile', 'heap profile: 1: 2 [3: 4] @ heap/1048576\n', /^line 1: expected/],
    ['a line that is neither group nor frame', 'goroutine profile: total 1\n1 @ 0x1\nbogus\n', /^line 3: expected "COUNT @ 0x…" or a "#" frame line, got "bogus"/],
    ['a frame before any group', 'goroutine profile: total 1\n#\t0x1\tmain.f+0x1\t/a.go:3\n', /^line 2: frame line before any "COUNT @ 0x…" line/],
  ])('rejects %s, naming the line', (_what, text, message) => {
    expect(() => parseGoroutineProfileDebug1(text)).toThrow(GoroutineDumpError);
    expect(() => parseGoroutineProfileDebug1(text)).toThrow(message);
  });
});

describe('parseGoroutineDumpDebug2 header forms', () => {
  const header = (h: string): Goroutine =>
    parseGoroutineDumpDebug2(lines(h, 'main.worker(0xc000012345, {0x1, 0x2})', '\t/src/main.go:10 +0x1d')).goroutines[0];

  it.each([
    ['goroutine 7 [chan receive]:', { id: 7, state: 'chan receive', waitMinutes: 0, lockedToThread: false }],
    ['goroutine 7 [chan receive, 5 minutes]:', { state: 'chan receive', waitMinutes: 5 }],
    ['goroutine 7 [chan receive, 1 minutes, locked to thread]:', { waitMinutes: 1, lockedToThread: true }],
    ['goroutine 7 [running, locked to thread]:', { state: 'running', lockedToThread: true }],
    ['goroutine 7 [semacquire, 12 minutes]:', { state: 'semacquire', waitMinutes: 12 }],
    ['goroutine 7 [sync.RWMutex.RLock]:', { state: 'sync.RWMutex.RLock' }],
    ['goroutine 7 [select (no cases)]:', { state: 'select (no cases)' }],
    ['goroutine 7 [chan receive (nil chan)]:', { state: 'chan receive (nil chan)' }],
    ['goroutine 7 [chan send (nil chan), 3 minutes]:', { state: 'chan send (nil chan)', waitMinutes: 3 }],
    ['goroutine 7 [chan receive (leaked)]:', { state: 'chan receive (leaked)' }],
    ['goroutine 7 [select (scan)]:', { state: 'select' }],
    ['goroutine 7 [sync.WaitGroup.Wait (durable), synctest bubble 3]:', { state: 'sync.WaitGroup.Wait (durable)' }],
    ['goroutine 7 gp=0xc000007a40 m=nil [IO wait]:', { id: 7, state: 'IO wait' }],
    ['goroutine 18446744 gp=0xc000102380 m=4 mp=0xc000080808 [running]:', { id: 18446744, state: 'running' }],
    ['goroutine 7 [select, 2 minutes, some future note]:', { state: 'select', waitMinutes: 2 }],
  ])('%s', (line, expected) => {
    expect(header(line)).toMatchObject(expected);
  });

  it.each([
    // Go 1.26+ with GODEBUG=tracebacklabels=1: inside the brackets, runtime quoting.
    ['goroutine 7 [chan receive, 5 minutes labels:{"handler": "/api", "tenant": "x]y"}]:', { state: 'chan receive', waitMinutes: 5 }],
    ['goroutine 7 [running, labels:{"handler": "/api", "tenant": "x]y"}]:', { state: 'running' }],
    // The form announced for later Go: after the brackets.
    ['goroutine 7 gp=0xc000007a40 m=2 [running, 5 minutes] {"handler":"/api", "tenant":"x]y"}:', { state: 'running', waitMinutes: 5 }],
  ])('labels: %s', (line, expected) => {
    expect(header(line)).toMatchObject({ ...expected, labels: { handler: '/api', tenant: 'x]y' } });
  });

  it('has no labels when the header has none', () => {
    expect(header('goroutine 7 [running]:')).not.toHaveProperty('labels');
  });
});

describe('parseGoroutineDumpDebug2 frame forms', () => {
  it('strips arguments from methods, closures, generics and inlined frames', () => {
    const [g] = parseGoroutineDumpDebug2(
      lines(
        'goroutine 9 [select]:',
        'main.(*Queue[...]).Pop(...)',
        '\t/src/queue.go:40',
        'main.Map[go.shape.int,go.shape.string](0xc0000a6000, 0x3)',
        '\t/src/generic.go:12 +0x7d',
        'example.com/svc/pkg.(*Server).handle.func1.2()',
        '\t/src/server.go:88 +0x1f',
        'gopkg.in/yaml%2ev3.(*parser).parse(0x0?)',
        '\t/root/go/pkg/mod/gopkg.in/yaml.v3/parser.go:12 +0x3 fp=0xc000 sp=0xc000 pc=0x4a',
        'created by example.com/svc/pkg.(*Server).Start in goroutine 1',
        '\t/src/server.go:80 +0x9c',
      ),
    ).goroutines;
    expect(g.frames).toEqual([
      'gopkg.in/yaml%2ev3.(*parser).parse',
      'example.com/svc/pkg.(*Server).handle.func1.2',
      'main.Map[go.shape.int,go.shape.string]',
      'main.(*Queue[...]).Pop',
    ]);
    expect(g.locations).toEqual(['/root/go/pkg/mod/gopkg.in/yaml.v3/parser.go:12', '/src/server.go:88', '/src/generic.go:12', '/src/queue.go:40']);
    expect(g).toMatchObject({ createdBy: 'example.com/svc/pkg.(*Server).Start', creatorGoroutine: 1, createdAt: '/src/server.go:80', framesElided: false });
  });

  it('reads "created by" without a creator id (Go < 1.21)', () => {
    const [g] = parseGoroutineDumpDebug2(lines('goroutine 9 [select]:', 'main.loop()', '\t/src/a.go:3 +0x1', 'created by main.main', '\t/src/a.go:9 +0x2')).goroutines;
    expect(g).toMatchObject({ createdBy: 'main.main', createdAt: '/src/a.go:9' });
    expect(g).not.toHaveProperty('creatorGoroutine');
  });

  it.each([
    ['...additional frames elided...'],
    ['...12 frames elided...'],
  ])('flags "%s" and keeps the frames on both sides', (marker) => {
    const [g] = parseGoroutineDumpDebug2(
      lines('goroutine 9 [running]:', 'main.deep(0x1)', '\t/src/a.go:3 +0x1', marker, 'main.top()', '\t/src/a.go:1 +0x1'),
    ).goroutines;
    expect(g.framesElided).toBe(true);
    expect(g.frames).toEqual(['main.top', 'main.deep']);
  });

  it('accepts a goroutine whose stack is unavailable, and ancestors it does not need', () => {
    const dump = parseGoroutineDumpDebug2(
      lines(
        'goroutine 5 [running]:',
        '\tgoroutine running on other thread; stack unavailable',
        'created by main.main in goroutine 1',
        '\t/src/a.go:9 +0x2',
        '',
        'goroutine 6 [chan receive]:',
        'main.child()',
        '\t/src/a.go:20 +0x1',
        'created by main.parent in goroutine 2',
        '\t/src/a.go:30 +0x2',
        '[originating from goroutine 2]:',
        'main.parent(...)',
        '\t/src/a.go:30 +0x2',
      ),
    );
    expect(dump.goroutines.map((g) => [g.id, g.frames, g.createdBy])).toEqual([
      [5, [], 'main.main'],
      [6, ['main.child'], 'main.parent'],
    ]);
    expect(dump.skippedLines).toBe(0);
  });

  it('skips and counts lines of an unknown kind', () => {
    const dump = parseGoroutineDumpDebug2(lines('goroutine 9 [select]:', 'some note from a later Go', 'main.loop()', '\t/src/a.go:3 +0x1'));
    expect(dump.skippedLines).toBe(1);
    expect(dump.goroutines[0].frames).toEqual(['main.loop']);
  });

  it('reads CRLF text, and headers not preceded by a blank line', () => {
    const dump = parseGoroutineDumpDebug2('goroutine 1 [select]:\r\nmain.main()\r\n\t/a.go:3 +0x1\r\ngoroutine 2 [sleep]:\r\ntime.Sleep(0x1)\r\n\t/t.go:1 +0x1\r\n');
    expect(dump.goroutines.map((g) => [g.id, g.state, g.frames])).toEqual([
      [1, 'select', ['main.main']],
      [2, 'sleep', ['time.Sleep']],
    ]);
  });
});

describe('parseGoroutineDumpDebug2 truncation', () => {
  const complete = lines('goroutine 1 [select]:', 'main.main()', '\t/src/a.go:3 +0x1', '', 'goroutine 2 [chan receive]:', 'main.worker(0x1)', '\t/src/a.go:9 +0x1');

  it.each([
    ['cut mid-line', `${complete}\ngoroutine 3 [chan receive]:\nmain.work`],
    ['cut mid-location', `${complete}\ngoroutine 3 [chan receive]:\nmain.worker(0x1)\n\t/src/a.g`],
    ['cut after a function line', `${complete}\ngoroutine 3 [chan receive]:\nmain.worker(0x1)\n`],
    ['cut after "created by"', `${complete}\ngoroutine 3 [chan receive]:\nmain.worker(0x1)\n\t/src/a.go:9 +0x1\ncreated by main.main\n`],
    ['cut after a header', `${complete}\ngoroutine 3 [chan receive]:\n`],
    ['cut mid-header', `${complete}\ngoroutine 3 [chan rec`],
  ])('drops an incomplete last goroutine and flags the dump: %s', (_what, text) => {
    const dump = parseGoroutineDumpDebug2(text);
    expect(dump.truncated).toBe(true);
    expect(dump.goroutines.map((g) => g.id)).toEqual([1, 2]);
  });

  it('is not truncated when the last goroutine is complete', () => {
    expect(parseGoroutineDumpDebug2(complete).truncated).toBe(false);
    expect(parseGoroutineDumpDebug2(complete.trimEnd()).truncated).toBe(false);
  });

  it('drops the last goroutine of a dump that reached the 64 MiB cap of runtime.Stack, even when it parses', () => {
    const block = lines('goroutine 100 [chan receive]:', 'main.worker(0xc000012345)', `\t/src/${'x'.repeat(400)}.go:9 +0x1`, '');
    const copies = Math.ceil((64 << 20) / block.length);
    const text = block.repeat(copies);
    const dump = parseGoroutineDumpDebug2(text);
    expect(dump.truncated).toBe(true);
    expect(dump.goroutines).toHaveLength(copies - 1);
  });
});

describe('parseGoroutineDumpDebug2 errors', () => {
  it.each([
    ['empty text', '', /^line 1: empty goroutine dump/],
    ['a debug=1 profile', 'goroutine profile: total 1\n1 @ 0x1\n', /^line 1: expected "goroutine N \[status\]:" \(this is debug=1 output\)/],
    ['a first line that is no header', 'hello\n', /^line 1: expected "goroutine N \[status\]:", got "hello"/],
    ['a malformed header', lines('goroutine 1 [select]:', 'main.main()', '\t/a.go:1 +0x1', '', 'goroutine 2 select:', 'main.f()', '\t/a.go:2 +0x1', '', 'goroutine 3 [sleep]:', 'time.Sleep(0x1)', '\t/t.go:1 +0x1'), /^line 5: malformed goroutine header "goroutine 2 select:"/],
    ['a function line without its location', lines('goroutine 1 [select]:', 'main.f()', 'main.main()', '\t/a.go:1 +0x1'), /^line 3: expected "\\tfile:line" after "main.f", got "main.main\(\)"/],
    ['a location without its function', lines('goroutine 1 [select]:', '\t/a.go:1 +0x1'), /^line 2: "file:line" with no function line before it/],
    ['an empty status', lines('goroutine 1 []:', 'main.main()', '\t/a.go:1 +0x1', '', 'goroutine 2 [sleep]:', 'time.Sleep(0x1)', '\t/t.go:1 +0x1'), /^line 1: malformed goroutine header/],
  ])('rejects %s, naming the line', (_what, text, message) => {
    expect(() => parseGoroutineDumpDebug2(text)).toThrow(GoroutineDumpError);
    expect(() => parseGoroutineDumpDebug2(text)).toThrow(message);
  });

  it('reports the 1-based line number on the error', () => {
    try {
      parseGoroutineDumpDebug2(lines('goroutine 1 [select]:', 'main.f()', 'main.main()', '\t/a.go:1 +0x1'));
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(GoroutineDumpError);
      expect((err as GoroutineDumpError).line).toBe(3);
    }
  });
});
