import fc from 'fast-check';
import { decodeProfile } from './decode';
import { toPprofProfile, encodeProfile } from './encode';
import { PprofDecodeError } from './errors';
import { flameGraph } from './flame-graph';
import { mergeProfiles } from './merge';
import type { NormalizedProfile, ValueType } from './profile';
import { totalValue } from './sample-type';
import { stackHash } from './stack-hash';
import { functionValues } from './top';

const RUNS = { numRuns: 150 };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

const int64 = fc.bigInt(INT64);
// Values a profile realistically sums without leaving int64 even when merged a few times.
const value = fc.oneof(fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }), fc.bigInt({ min: -1000n, max: 1000n }));
const frameName = fc.oneof(
  fc.constantFrom('main.main', 'runtime.main', 'main.rec', 'a;b', 'type:.eq.[2]interface {}', '0x4a1b2c', 'é'),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
);
const valueType: fc.Arbitrary<ValueType> = fc.record({
  type: fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
  unit: fc.constantFrom('count', 'bytes', 'nanoseconds', ''),
});
const sampleTypes = fc.uniqueArray(valueType, { minLength: 1, maxLength: 4, selector: (t) => t.type });

// Merging adds start and duration: keep them where real clocks are, so the end fits in int64.
const realistic = { time: fc.bigInt({ min: 0n, max: 2n ** 62n }), duration: fc.bigInt({ min: 0n, max: 2n ** 50n }) };
const anything = { time: int64, duration: int64 };

function profileWith(
  types: readonly ValueType[],
  values: fc.Arbitrary<bigint> = value,
  header: { time: fc.Arbitrary<bigint>; duration: fc.Arbitrary<bigint> } = realistic,
): fc.Arbitrary<NormalizedProfile> {
  const stack = fc.record({
    frames: fc.array(frameName, { minLength: 1, maxLength: 6 }),
    values: fc.array(values, { minLength: types.length, maxLength: types.length }),
  });
  return fc
    .record({
      stacks: fc.uniqueArray(stack, { maxLength: 12, selector: (s) => JSON.stringify(s.frames) }),
      periodType: fc.option(valueType, { nil: undefined }),
      defaultSampleType: fc.option(fc.constantFrom(...types.map((t) => t.type)), { nil: undefined }),
      period: int64,
      timeNanos: header.time,
      durationNanos: header.duration,
    })
    .map(({ periodType, defaultSampleType, ...rest }) => ({
      sampleTypes: types,
      ...(periodType ? { periodType } : {}),
      ...(defaultSampleType !== undefined ? { defaultSampleType } : {}),
      ...rest,
    }));
}

const profile = sampleTypes.chain((types) => profileWith(types, fc.oneof(int64, value), anything));
const profiles = sampleTypes.chain((types) => fc.array(profileWith(types), { minLength: 1, maxLength: 4 }));

describe('properties', () => {
  it('decode ∘ encode is the identity on stacks, values and header', () => {
    fc.assert(
      fc.property(profile, (p) => {
        expect(decodeProfile(encodeProfile(p))).toEqual(p);
      }),
      RUNS,
    );
  });

  it('the total of a merge is the sum of the totals, for every sample type', () => {
    fc.assert(
      fc.property(profiles, (ps) => {
        const merged = mergeProfiles(ps);
        ps[0].sampleTypes.forEach((_t, i) => {
          expect(totalValue(merged, i)).toBe(ps.reduce((sum, p) => sum + totalValue(p, i), 0n));
        });
        // and merging survives the wire
        expect(decodeProfile(encodeProfile(merged)).stacks).toEqual(merged.stacks);
      }),
      RUNS,
    );
  });

  it('self values over all functions add up to the profile total, as does the flame graph root', () => {
    fc.assert(
      fc.property(profile, fc.nat(), (p, pick) => {
        const index = pick % p.sampleTypes.length;
        const total = totalValue(p, index);
        let selfSum = 0n;
        for (const f of functionValues(p, index).values()) selfSum += f.self;
        expect(selfSum).toBe(total);
        expect(flameGraph(p, index).value).toBe(total);
      }),
      RUNS,
    );
  });

  it('decode throws nothing but PprofDecodeError, whatever the bytes', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeProfile(bytes);
      } catch (err) {
        if (!(err instanceof PprofDecodeError)) throw err;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 500 });
    // Valid profiles with a few bytes overwritten or cut.
    const corrupted = fc.tuple(profile, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat());
    fc.assert(
      fc.property(corrupted, ([p, edits, cut]) => {
        const raw = toPprofProfile(p).encode();
        for (const [at, byte] of edits) if (raw.length > 0) raw[at % raw.length] = byte;
        check(raw.subarray(0, raw.length - (cut % 3)));
      }),
      { numRuns: 300 },
    );
  });

  it('stackHash tells distinct frame sequences apart', () => {
    fc.assert(
      fc.property(fc.array(frameName, { maxLength: 5 }), fc.array(frameName, { maxLength: 5 }), (a, b) => {
        expect(stackHash(a) === stackHash(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      RUNS,
    );
  });
});
