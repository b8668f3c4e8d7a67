import { functionTotals } from './function-totals';
import { hideFrames, isHidden, parseHidden } from './hidden-frames';

describe('hidden frames (hide=)', () => {
  it('std is the standard library and cgo glue, not main, modules or addresses', () => {
    const std = parseHidden('std')!;
    for (const name of ['runtime.gopark', 'sync.(*Mutex).Lock', 'net/http.(*conn).serve', 'internal/poll.(*FD).Read', 'main._Cfunc_sleep', 'main._cgo_cmalloc']) {
      expect(isHidden(name, std)).toBe(true);
    }
    for (const name of ['main.main', 'github.com/acme/db.Open', 'golang.org/x/net/http2.(*Framer).ReadFrame', 'myapp/db.Open', '0x4a3f2c']) {
      expect(isHidden(name, std)).toBe(false);
    }
  });

  it('a named package hides its sub-packages, not its namesakes', () => {
    const hidden = parseHidden('github.com/acme/db, net')!;
    expect(isHidden('github.com/acme/db.Open', hidden)).toBe(true);
    expect(isHidden('github.com/acme/db/pool.Get', hidden)).toBe(true);
    expect(isHidden('github.com/acme/dbx.Open', hidden)).toBe(false);
    expect(isHidden('net/http.Get', hidden)).toBe(true);
    expect(isHidden('netip.Parse', hidden)).toBe(false);
  });

  it('moves self onto the deepest frame left, and keeps every stack', () => {
    const stacks = [
      { frames: ['runtime.goexit', 'main.leakyConsumer', 'runtime.chanrecv2', 'runtime.gopark'], value: 40, instances: 1 },
      { frames: ['runtime.goexit', 'runtime.gcBgMarkWorker'], value: 2, instances: 1 },
    ];
    const shown = hideFrames(stacks, parseHidden('runtime'));
    expect(shown.map((s) => s.frames)).toEqual([['main.leakyConsumer'], []]);
    expect(shown.map((s) => s.value)).toEqual([40, 2]);
    expect(functionTotals(shown).get('main.leakyConsumer')).toMatchObject({ self: 40, total: 40 });
    expect(hideFrames(stacks, undefined)).toBe(stacks);
  });

  it('refuses what is not a package path, naming it', () => {
    expect(() => parseHidden('runtime,a b')).toThrow('parameter "hide": "a b" is not a Go package path');
    expect(() => parseHidden('^runtime\\.')).toThrow('is not a Go package path');
    expect(() => parseHidden(Array.from({ length: 65 }, (_, i) => `p${i}`).join(','))).toThrow('names 65 packages, at most 64');
  });
});
