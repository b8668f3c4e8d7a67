import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { decodeProfile } from './decode';
import { encodeProfile } from './encode';
import type { NormalizedProfile } from './profile';

const profile: NormalizedProfile = {
  sampleTypes: [{ type: 'alloc_space', unit: 'bytes' }, { type: 'inuse_space', unit: 'bytes' }],
  periodType: { type: 'space', unit: 'bytes' },
  period: 524_288n,
  timeNanos: 1_700_000_000_000_000_000n,
  durationNanos: 30_000_000_000n,
  defaultSampleType: 'inuse_space',
  stacks: [
    { frames: ['runtime.main', 'main.main', 'main.alloc'], values: [2n ** 60n, -(2n ** 62n)] },
    { frames: ['runtime.main', 'main.main'], values: [-7n, 0n] },
    { frames: ['runtime.main', 'main.rec', 'main.rec', 'main.alloc'], values: [2n ** 63n - 1n, -(2n ** 63n)] },
    { frames: [], values: [1n, 1n] },
  ],
};

describe('encodeProfile', () => {
  it('writes a gzipped profile with one function and location per frame name, ids from 1', () => {
    const bytes = encodeProfile(profile);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const raw = Profile.decode(gunzipSync(bytes));
    const strings = raw.stringTable.strings;
    expect(strings[0]).toBe('');
    const names = raw.function.map((f) => strings[Number(f.name)]);
    expect(names).toEqual(['main.alloc', 'main.main', 'runtime.main', 'main.rec']);
    expect(raw.function.map((f) => Number(f.id))).toEqual([1, 2, 3, 4]);
    expect(raw.location.map((l) => [Number(l.id), l.line.map((ln) => Number(ln.functionId))])).toEqual([
      [1, [1]],
      [2, [2]],
      [3, [3]],
      [4, [4]],
    ]);
    // leaf-first
    expect(raw.sample[0].locationId.map(Number)).toEqual([1, 2, 3]);
    expect(raw.sample[2].locationId.map(Number)).toEqual([1, 4, 4, 3]);
    expect(raw.sample[0].value.map((v) => BigInt.asIntN(64, BigInt(v)))).toEqual([2n ** 60n, -(2n ** 62n)]);
    expect(strings[Number(raw.defaultSampleType)]).toBe('inuse_space');
  });

  it('round-trips through decodeProfile', () => {
    expect(decodeProfile(encodeProfile(profile))).toEqual(profile);
  });

  it('refuses values outside int64', () => {
    const tooBig = { ...profile, stacks: [{ frames: ['f'], values: [2n ** 63n, 0n] }] };
    expect(() => encodeProfile(tooBig)).toThrow('stack 0 value 9223372036854775808 does not fit in a pprof int64');
  });

  it('refuses a stack whose value count does not match the sample types', () => {
    const bad = { ...profile, stacks: [{ frames: ['f'], values: [1n] }] };
    expect(() => encodeProfile(bad)).toThrow('stack 0 has 1 values for 2 sample types');
  });

  it('refuses empty frame names, which pprof would read as unnamed', () => {
    const bad = { ...profile, stacks: [{ frames: ['main', ''], values: [1n, 1n] }] };
    expect(() => encodeProfile(bad)).toThrow(RangeError);
  });

  it('encodes a profile without stacks or header', () => {
    const empty: NormalizedProfile = { sampleTypes: [{ type: 'goroutine', unit: 'count' }], period: 0n, timeNanos: 0n, durationNanos: 0n, stacks: [] };
    expect(decodeProfile(encodeProfile(empty))).toEqual(empty);
  });
});
