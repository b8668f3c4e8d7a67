import { gzipSync } from 'node:zlib';
import { decodeProfile } from './decode';
import { PprofDecodeError } from './errors';
import type { NormalizedProfile } from './profile';
import { RawProfileBuilder } from './spec-support/raw-profile';

function stacksOf(p: NormalizedProfile): Record<string, bigint[]> {
  return Object.fromEntries(p.stacks.map((s) => [s.frames.join(' > '), [...s.values]]));
}

function decodeError(bytes: Uint8Array): PprofDecodeError {
  try {
    decodeProfile(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(PprofDecodeError);
    return err as PprofDecodeError;
  }
  throw new Error('decodeProfile accepted the input');
}

describe('decodeProfile', () => {
  const simple = (): RawProfileBuilder =>
    new RawProfileBuilder([['samples', 'count'], ['cpu', 'nanoseconds']])
      .withHeader({ period: 10_000_000, timeNanos: 1_700_000_000_123_456_789n, durationNanos: 2_000_000_000, periodType: ['cpu', 'nanoseconds'] })
      .stack(['main.main', 'main.work'], [3, 30_000_000])
      .stack(['main.main'], [1, 10_000_000]);

  it('reads gzipped and raw protobuf alike', () => {
    const b = simple();
    const fromGzip = decodeProfile(b.gzipped());
    const fromRaw = decodeProfile(b.raw());
    expect(fromGzip).toEqual(fromRaw);
    expect(fromRaw).toEqual({
      sampleTypes: [{ type: 'samples', unit: 'count' }, { type: 'cpu', unit: 'nanoseconds' }],
      periodType: { type: 'cpu', unit: 'nanoseconds' },
      period: 10_000_000n,
      timeNanos: 1_700_000_000_123_456_789n,
      durationNanos: 2_000_000_000n,
      stacks: [
        { frames: ['main.main', 'main.work'], values: [3n, 30_000_000n] },
        { frames: ['main.main'], values: [1n, 10_000_000n] },
      ],
    });
  });

  it('expands inlined frames so stacks stay root-first', () => {
    const b = new RawProfileBuilder([['samples', 'count']]);
    // One machine location holding three functions: leaf was inlined into mid, mid into caller.
    const inlined = b.location(['pkg.leaf', 'pkg.mid', 'pkg.caller']);
    const root = b.location(['main.main']);
    const outer = b.location(['runtime.main']);
    b.sample([inlined, root, outer], [5]);
    expect(stacksOf(decodeProfile(b.raw()))).toEqual({
      'runtime.main > main.main > pkg.caller > pkg.mid > pkg.leaf': [5n],
    });
  });

  it('sums samples whose frames are the same, even from different locations and labels', () => {
    const b = new RawProfileBuilder([['alloc_space', 'bytes']]);
    const a1 = b.location(['main.alloc'], { address: 0x10 });
    const a2 = b.location(['main.alloc'], { address: 0x20 });
    const m = b.location(['main.main']);
    b.sample([a1, m], [100]).sample([a2, m], [23]).sample([m], [7]);
    expect(stacksOf(decodeProfile(b.raw()))).toEqual({ 'main.main > main.alloc': [123n], 'main.main': [7n] });
  });

  it('keeps recursion as repeated frames', () => {
    const b = new RawProfileBuilder([['samples', 'count']]);
    b.stack(['main', 'rec', 'rec', 'rec', 'leaf'], [2]);
    expect(decodeProfile(b.raw()).stacks[0].frames).toEqual(['main', 'rec', 'rec', 'rec', 'leaf']);
  });

  it('names frames without symbol information by address instead of dropping them', () => {
    const b = new RawProfileBuilder([['samples', 'count']]);
    const noLines = b.location([], { address: 0x4a1b2c });
    const noFunction = b.location([], { address: 0xdead, functionIds: [0] });
    const named = b.location(['main.main']);
    b.sample([noLines, noFunction, named], [1]);
    expect(decodeProfile(b.raw()).stacks[0].frames).toEqual(['main.main', '0xdead', '0x4a1b2c']);
  });

  it('reads int64 values beyond 2^53 and negative values exactly', () => {
    const big = 2n ** 60n;
    const b = new RawProfileBuilder([['a', 'count'], ['b', 'count'], ['c', 'count'], ['d', 'count']]);
    b.stack(['f'], [big, -5, -(2n ** 62n) - 3n, 2n ** 63n - 1n]);
    b.stack(['g'], [-(2n ** 63n), 0, 1, 2 ** 28]);
    expect(stacksOf(decodeProfile(b.gzipped()))).toEqual({
      f: [big, -5n, -(2n ** 62n) - 3n, 2n ** 63n - 1n],
      g: [-(2n ** 63n), 0n, 1n, 2n ** 28n],
    });
  });

  it('reads the default sample type and a negative time', () => {
    const b = new RawProfileBuilder([['alloc_space', 'bytes'], ['inuse_space', 'bytes']]).withHeader({
      defaultSampleType: 'alloc_space',
      timeNanos: -1,
    });
    const p = decodeProfile(b.raw());
    expect(p.defaultSampleType).toBe('alloc_space');
    expect(p.timeNanos).toBe(-1n);
    expect(p.periodType).toBeUndefined();
  });

  describe('rejects bad input with a PprofDecodeError saying why', () => {
    it('empty input', () => {
      expect(decodeError(new Uint8Array()).message).toBe('not a pprof profile: empty input');
    });

    it('a truncated gzip stream', () => {
      const gz = simple().gzipped();
      expect(decodeError(gz.subarray(0, gz.length - 10)).message).toBe('not a pprof profile: truncated gzip stream');
    });

    it('a corrupt gzip stream', () => {
      const gz = Buffer.from(simple().gzipped());
      gz.fill(0xff, 10, 20);
      expect(decodeError(gz).message).toMatch(/^not a pprof profile: corrupt gzip stream/);
    });

    it('a gzip stream that inflates past the limit', () => {
      const bomb = gzipSync(Buffer.alloc(1 << 20));
      expect(() => decodeProfile(bomb, { maxBytes: 1024 })).toThrow('gzip stream inflates past 1024 bytes');
    });

    it.each([
      ['text', Buffer.from('this is not a profile, it is a sentence')],
      ['html', Buffer.from('<html><body>404 page not found</body></html>')],
      ['random bytes', Buffer.from('9c2e7fa1030405ffee0012', 'hex')],
      ['a JSON document', Buffer.from('{"sampleTypes":[]}')],
    ])('garbage bytes: %s', (_name, bytes) => {
      expect(decodeError(bytes).message).toMatch(/^not a pprof profile: profile/);
    });

    it('garbage inside gzip', () => {
      expect(decodeError(gzipSync(Buffer.from('hello, world'))).message).toMatch(/^not a pprof profile: /);
    });

    it('a protobuf cut short', () => {
      const raw = simple().raw();
      expect(decodeError(raw.subarray(0, raw.length - 3)).message).toMatch(/^not a pprof profile: profile\.\w+.*(truncated|runs past the end)/);
    });

    it('a sample referencing a location that does not exist', () => {
      const b = new RawProfileBuilder([['samples', 'count']]);
      b.location(['main.main']);
      b.sample([1], [1]).sample([1], [1]).sample([1], [1]).sample([17, 1], [1]);
      expect(decodeError(b.raw()).message).toBe('invalid pprof profile: sample 3 references unknown location 17');
    });

    it('a sample with the wrong number of values', () => {
      const b = new RawProfileBuilder([['samples', 'count'], ['cpu', 'nanoseconds']]);
      b.sample([b.location(['main.main'])], [1]);
      expect(decodeError(b.raw()).message).toBe('invalid pprof profile: sample 0 value count 1 does not match 2 sample types');
    });

    it('a location referencing a function that does not exist', () => {
      const b = new RawProfileBuilder([['samples', 'count']]);
      b.sample([b.location([], { id: 4, functionIds: [9] })], [1]);
      expect(decodeError(b.raw()).message).toBe('invalid pprof profile: location 4 line 0 references unknown function 9');
    });

    it('a string index past the string table', () => {
      const p = simple().build();
      p.sampleType[1].unit = 999;
      expect(decodeError(p.encode()).message).toBe(
        'invalid pprof profile: sample type 1 unit refers to string 999, past the end of the string table (7 strings)',
      );
    });

    it('duplicate location ids', () => {
      const b = new RawProfileBuilder([['samples', 'count']]);
      b.location(['a'], { id: 3 });
      b.location(['b'], { id: 3 });
      expect(decodeError(b.raw()).message).toBe('invalid pprof profile: location id 3 is used twice');
    });

    it('a field with the wrong wire type', () => {
      // field 2 (sample) as a varint
      expect(decodeError(Uint8Array.from([0x10, 0x01])).message).toBe(
        'not a pprof profile: profile.sample[0]: wire type varint where length-delimited was expected, at byte 0',
      );
    });

    it('a truncated varint deep inside, named by its path', () => {
      // location[1] { line[0] { function_id: <varint cut short> } }
      expect(decodeError(Uint8Array.from([0x22, 0x00, 0x22, 0x04, 0x22, 0x02, 0x08, 0x80])).message).toBe(
        'not a pprof profile: profile.location[1].line[0].function_id: truncated varint at byte 7',
      );
    });

    it('a packed field running past its message', () => {
      // sample[0] { location_id: length 5, one byte present }
      expect(decodeError(Uint8Array.from([0x12, 0x03, 0x0a, 0x05, 0x01])).message).toBe(
        'not a pprof profile: profile.sample[0].location_id: length 5 runs past the end of its message at byte 3',
      );
    });
  });
});
