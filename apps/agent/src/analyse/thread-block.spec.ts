import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoroutineDumpDebug2, type GoroutineDump } from './goroutine-dump';
import { callingFunction, findThreadBlocks } from './thread-block';

const fixture = (name: string): GoroutineDump => parseGoroutineDumpDebug2(readFileSync(join(__dirname, '__fixtures__', name), 'utf8'));

/** A goroutine in `[syscall]` with these frames, given leaf first as a dump prints them. */
function inSyscall(id: number, leafFirst: string[], header = 'syscall'): string {
  return [`goroutine ${id} [${header}]:`, ...leafFirst.flatMap((fn, i) => [`${fn}(0x1)`, `\t/src/f${i}.go:${i + 1} +0x1`]), ''].join('\n');
}

const dump = (...blocks: string[]): GoroutineDump => parseGoroutineDumpDebug2(blocks.join('\n'));
const FILE_READ = ['syscall.Syscall', 'syscall.read', 'syscall.Read', 'internal/poll.ignoringEINTRIO', 'internal/poll.(*FD).Read', 'os.(*File).Read', 'main.readFifo', 'main.worker'];
const SIGNALS = ['os/signal.signal_recv', 'os/signal.loop'];

describe('findThreadBlocks', () => {
  describe.each(['go1.19', 'go1.26'])('on real %s dumps of the fault fixture', (version) => {
    it('names main.blockInCgo for the ten goroutines parked in C', () => {
      const finding = findThreadBlocks(fixture(`${version}-cgo-debug2.txt`), { threadsCreated: 14 });
      expect(finding).toEqual({
        kind: 'thread_block',
        summary: '10 goroutines hold OS threads in cgo calls or syscalls (14 threads created so far): main.blockInCgo (cgo, 10)',
        stacks: [{ frames: ['main.blockInCgo', 'main._Cfunc_stackwatch_block_in_c'], count: 10, state: 'syscall', created_by: 'main.handleCgo' }],
      });
    });

    it.each(['healthy', 'leak2', 'deadlock'])('ignores the signal loop every Go program has (%s dump)', (scenario) => {
      expect(findThreadBlocks(fixture(`${version}-${scenario}-debug2.txt`), { minGoroutines: 1 })).toBeUndefined();
    });
  });

  it('groups blocking syscalls by the Go function that made them', () => {
    const finding = findThreadBlocks(
      dump(inSyscall(1, FILE_READ), inSyscall(2, FILE_READ), inSyscall(3, ['main._Cfunc_poll', 'main.pollDevice']), inSyscall(4, SIGNALS)),
    );
    expect(finding?.summary).toBe('3 goroutines hold OS threads in cgo calls or syscalls: main.readFifo (syscall, 2), main.pollDevice (cgo, 1)');
    expect(finding?.stacks.map((s) => [s.frames.at(-1), s.count])).toEqual([
      ['syscall.Syscall', 2],
      ['main._Cfunc_poll', 1],
    ]);
  });

  it('sees cgo calls by runtime.cgocall frames too (GOTRACEBACK=system), whatever the state', () => {
    const withRuntime = ['runtime.asmcgocall', 'runtime.cgocall', 'main._Cfunc_stackwatch_block_in_c', 'main.blockInCgo'];
    const finding = findThreadBlocks(dump(...[1, 2, 3].map((id) => inSyscall(id, withRuntime, id === 3 ? 'running' : 'syscall, 4 minutes, locked to thread'))));
    expect(finding?.summary).toMatch(/: main\.blockInCgo \(cgo, 3\)$/);
  });

  it('reports nothing under minGoroutines', () => {
    const two = dump(inSyscall(1, FILE_READ), inSyscall(2, FILE_READ));
    expect(findThreadBlocks(two)).toBeUndefined();
    expect(findThreadBlocks(two, { minGoroutines: 2 })?.stacks[0].count).toBe(2);
  });

  it('falls back to the standard-library caller when no user code is on the stack', () => {
    expect(callingFunction(['os/exec.(*Cmd).Wait', 'os.(*Process).Wait', 'syscall.Wait4', 'syscall.RawSyscall6'])).toBe('os.(*Process).Wait');
    expect(callingFunction(['main.blockInCgo', 'main._Cfunc_stackwatch_block_in_c', 'runtime.cgocall'])).toBe('main.blockInCgo');
  });
});
