import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { GoroutineDumpError, parseGoroutineDumpDebug2, parseGoroutineProfileDebug1 } from './goroutine-dump';

/**
 * Fuzzing the goroutine dump parsers the agent runs on what targets serve: random text and
 * mutations of real debug=1 and debug=2 dumps (Go 1.19 and 1.26) either parse or throw
 * GoroutineDumpError naming the line, never anything else. Bounded: a few thousand inputs.
 */
const FIXTURES = join(__dirname, '__fixtures__');
const dumps = (suffix: string) =>
  readdirSync(FIXTURES)
    .filter((f) => f.endsWith(suffix))
    .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
const debug1 = dumps('-debug1.txt');
const debug2 = dumps('-debug2.txt');

function parsesOrRefuses(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof GoroutineDumpError) {
      expect(err.message).toMatch(/line \d+/);
      return;
    }
    throw new Error(`parser threw ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
}

/** A real dump with a few line-level edits: a line dropped, duplicated, swapped, cut or replaced by noise. */
const mutated = (sources: readonly string[]) =>
  fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(
        fc.record({
          kind: fc.constantFrom('drop', 'duplicate', 'swap', 'cut', 'noise'),
          at: fc.nat(),
          other: fc.nat(),
          noise: fc.string({ maxLength: 40, unit: fc.constantFrom(...'#@ \t0x[]():,.+/-_abcdefgoroutine123456789'.split('')) }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
    )
    .map(([source, edits]) => {
      const lines = source.split('\n');
      for (const edit of edits) {
        const at = edit.at % lines.length;
        const other = edit.other % lines.length;
        if (edit.kind === 'drop') lines.splice(at, 1);
        else if (edit.kind === 'duplicate') lines.splice(at, 0, lines[at]);
        else if (edit.kind === 'swap') [lines[at], lines[other]] = [lines[other], lines[at]];
        else if (edit.kind === 'cut') lines[at] = lines[at].slice(0, edit.other % (lines[at].length + 1));
        else lines[at] = edit.noise;
        if (lines.length === 0) lines.push('');
      }
      return lines.join('\n');
    });

describe('goroutine dump parsers under fuzzing', () => {
  it.each([
    ['debug=1', parseGoroutineProfileDebug1, debug1],
    ['debug=2', parseGoroutineDumpDebug2, debug2],
  ] as const)('%s: random text and mutated real dumps parse or throw GoroutineDumpError', (_name, parse, sources) => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (text) => parsesOrRefuses(parse, text)), { numRuns: 1000 });
    fc.assert(fc.property(mutated(sources), (text) => parsesOrRefuses(parse, text)), { numRuns: 1500 });
  });
});
