import { culpritFrame, withoutRuntimeFrames } from './go-functions';

describe('naming stacks by their frames', () => {
  it('names a stack by its leaf-most user frame, else its leaf-most non-runtime frame', () => {
    expect(culpritFrame(['net/http.(*conn).serve', 'main.handleTransferAB', 'sync.(*Mutex).Lock'])).toBe('main.handleTransferAB');
    expect(culpritFrame(['net/http.(*Transport).dialConn', 'net/http.(*persistConn).writeLoop', 'runtime.gopark'])).toBe(
      'net/http.(*persistConn).writeLoop',
    );
    expect(culpritFrame([])).toBeUndefined();
  });

  it('drops the runtime frames that debug=1 and debug=2 hide differently', () => {
    expect(withoutRuntimeFrames(['runtime.main', 'main.main', 'runtime.gopark'])).toEqual(['main.main']);
  });
});
