import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeProfile } from './decode';
import { PprofDecodeError } from './errors';

/**
 * Fuzzing the decoder the aggregator runs on every profile an agent sends: random bytes and
 * mutations of real Go profiles (both toolchains' cpu, heap, goroutine and mutex captures) either
 * decode into a well-formed profile or throw PprofDecodeError, never anything else, and never
 * hang. Bounded: a few thousand inputs, a few seconds.
 */
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'profiles');
const gzipped = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pb.gz'))
  .map((f) => readFileSync(join(FIXTURES, f)));
const raw = gzipped.map((g) => new Uint8Array(gunzipSync(g)));

function decodesOrRefuses(bytes: Uint8Array): void {
  let profile;
  try {
    profile = decodeProfile(bytes, { maxBytes: 16 * 1024 * 1024 });
  } catch (err) {
    if (err instanceof PprofDecodeError) return;
    throw new Error(`decodeProfile threw ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  for (const stack of profile.stacks) {
    expect(stack.values).toHaveLength(profile.sampleTypes.length);
    expect(stack.frames.every((f) => typeof f === 'string')).toBe(true);
    expect(stack.values.every((v) => typeof v === 'bigint')).toBe(true);
  }
}

/** A real profile with a few edits: bytes overwritten, a cut, bytes inserted, or a slice repeated. */
const mutated = (sources: readonly Uint8Array[]) =>
  fc
    .tuple(
      fc.constantFrom(...sources),
      fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
          fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([source, edits]) => {
      let bytes = Uint8Array.from(source);
      for (const edit of edits) {
        const at = edit.at % Math.max(1, bytes.length);
        if (edit.kind === 'set') bytes[at] = edit.byte;
        else if (edit.kind === 'cut') bytes = bytes.slice(0, at);
        else if (edit.kind === 'insert') bytes = Uint8Array.from([...bytes.slice(0, at), ...edit.bytes, ...bytes.slice(at)]);
        else bytes = Uint8Array.from([...bytes.slice(0, at + edit.length), ...bytes.slice(at, at + edit.length), ...bytes.slice(at + edit.length)]);
      }
      return bytes;
    });

describe('decodeProfile under fuzzing', () => {
  it('random bytes: decoded or refused with PprofDecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => decodesOrRefuses(bytes)), { numRuns: 2000 });
  });

  it('random bytes behind a protobuf-looking or gzip prefix', () => {
    const prefixed = fc.tuple(fc.constantFrom([0x0a], [0x12], [0x22], [0x1f, 0x8b]), fc.uint8Array({ maxLength: 2048 })).map(([p, rest]) => Uint8Array.from([...p, ...rest]));
    fc.assert(fc.property(prefixed, (bytes) => decodesOrRefuses(bytes)), { numRuns: 1000 });
  });

  it('mutated real profiles, raw protobuf', () => {
    fc.assert(fc.property(mutated(raw), (bytes) => decodesOrRefuses(bytes)), { numRuns: 1500 });
  });

  it('mutated real profiles, gzipped', () => {
    fc.assert(fc.property(mutated(gzipped), (bytes) => decodesOrRefuses(bytes)), { numRuns: 500 });
  });
});
