import { SampleTypeMismatchError } from './errors';
import { mergeProfiles } from './merge';
import { profileOf } from './spec-support/profiles';

const cpu: Array<[string, string]> = [['samples', 'count'], ['cpu', 'nanoseconds']];

describe('mergeProfiles', () => {
  it('sums values of identical stacks and keeps the others', () => {
    const a = profileOf({ 'main;work': [1, 10], main: [2, 20] }, cpu);
    const b = profileOf({ 'main;work': [3, 30], 'main;idle': [-1, 2n ** 60n] }, cpu);
    expect(mergeProfiles([a, b]).stacks).toEqual([
      { frames: ['main', 'work'], values: [4n, 40n] },
      { frames: ['main'], values: [2n, 20n] },
      { frames: ['main', 'idle'], values: [-1n, 2n ** 60n] },
    ]);
  });

  it('spans from the earliest start to the latest end and keeps the period', () => {
    const header = { period: 10_000_000n, periodType: { type: 'cpu', unit: 'nanoseconds' } };
    const a = profileOf({ main: [1, 1] }, cpu, { ...header, timeNanos: 1_000n, durationNanos: 500n });
    const b = profileOf({ main: [1, 1] }, cpu, { ...header, timeNanos: 1_200n, durationNanos: 600n });
    const unknownStart = profileOf({ main: [1, 1] }, cpu, { ...header, timeNanos: 0n, durationNanos: 100n });
    const merged = mergeProfiles([b, unknownStart, a]);
    expect(merged.timeNanos).toBe(1_000n);
    expect(merged.durationNanos).toBe(800n);
    expect(merged.period).toBe(10_000_000n);
    expect(merged.periodType).toEqual({ type: 'cpu', unit: 'nanoseconds' });
  });

  it('keeps the default sample type of the first profile that has one', () => {
    const a = profileOf({ main: [1] });
    const b = profileOf({ main: [1] }, undefined, { defaultSampleType: 'samples' });
    expect(mergeProfiles([a, b]).defaultSampleType).toBe('samples');
    expect(mergeProfiles([a]).defaultSampleType).toBeUndefined();
  });

  it('refuses profiles whose sample types differ, naming both', () => {
    const a = profileOf({ main: [1, 1] }, cpu);
    const b = profileOf({ main: [1, 1] }, [['samples', 'count'], ['cpu', 'microseconds']]);
    const run = (): unknown => mergeProfiles([a, a, b]);
    expect(run).toThrow(SampleTypeMismatchError);
    expect(run).toThrow(
      'cannot merge profiles with different sample types: profile 0 has [samples/count, cpu/nanoseconds], ' +
        'profile 2 has [samples/count, cpu/microseconds]',
    );
    expect(() => mergeProfiles([a, profileOf({ main: [1] })])).toThrow(SampleTypeMismatchError);
  });

  it('needs at least one profile', () => {
    expect(() => mergeProfiles([])).toThrow('mergeProfiles needs at least one profile');
  });

  it('does not modify its inputs', () => {
    const a = profileOf({ main: [1, 1] }, cpu);
    mergeProfiles([a, a]);
    expect(a.stacks[0].values).toEqual([1n, 1n]);
  });
});
