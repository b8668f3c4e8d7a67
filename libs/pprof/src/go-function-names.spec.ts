import { isCgoGlue, isRuntimeFunction, isStdlibFunction, isUserFunction, packagePath } from './go-function-names';

describe('Go function names', () => {
  it.each([
    ['main.leakyConsumer', 'main'],
    ['net/http.(*conn).serve', 'net/http'],
    ['internal/sync.(*Mutex).lockSlow', 'internal/sync'],
    ['github.com/acme/svc/store.(*DB).Query.func1', 'github.com/acme/svc/store'],
    ['gopkg.in/yaml%2ev3.(*parser).parse', 'gopkg.in/yaml%2ev3'],
    ['example.com/m.Map[go.shape.*example.com/m/x.T]', 'example.com/m'],
    ['runtime.gopark', 'runtime'],
  ])('%s lives in %s', (fn, path) => {
    expect(packagePath(fn)).toBe(path);
  });

  it('tells the runtime, the standard library, cgo glue and user code apart', () => {
    expect(isRuntimeFunction('runtime.chanrecv2')).toBe(true);
    expect(isRuntimeFunction('runtime/pprof.writeGoroutineStacks')).toBe(false);
    expect(isStdlibFunction('runtime/pprof.writeGoroutineStacks')).toBe(true);
    expect(isStdlibFunction('os/signal.signal_recv')).toBe(true);
    expect(isStdlibFunction('github.com/acme/svc.Run')).toBe(false);
    expect(isCgoGlue('main._Cfunc_stackwatch_block_in_c')).toBe(true);
    expect(isCgoGlue('github.com/mattn/go-sqlite3._Cfunc_sqlite3_step')).toBe(true);
    expect(isCgoGlue('runtime.cgocall')).toBe(true);
    expect(isCgoGlue('main.blockInCgo')).toBe(false);
    expect(isUserFunction('main.blockInCgo')).toBe(true);
    expect(isUserFunction('main._Cfunc_stackwatch_block_in_c')).toBe(false);
    expect(isUserFunction('net/http.(*conn).serve')).toBe(false);
  });
});
