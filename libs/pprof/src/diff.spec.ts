import { diffProfiles } from './diff';
import { SampleTypeMismatchError } from './errors';
import { profileOf } from './spec-support/profiles';

const cpu: Array<[string, string]> = [['samples', 'count'], ['cpu', 'nanoseconds']];

describe('diffProfiles', () => {
  const base = profileOf({ 'main;a': [1, 100], 'main;gone': [1, 50] }, cpu);
  const current = profileOf({ 'main;a': [1, 130], 'main;new': [1, 400] }, cpu);

  it('reports self and total per function of either profile, largest total change first', () => {
    expect(diffProfiles(base, current)).toEqual([
      { function: 'new', self: { base: 0, current: 400, delta: 400 }, total: { base: 0, current: 400, delta: 400 } },
      { function: 'main', self: { base: 0, current: 0, delta: 0 }, total: { base: 150, current: 530, delta: 380 } },
      { function: 'gone', self: { base: 50, current: 0, delta: -50 }, total: { base: 50, current: 0, delta: -50 } },
      { function: 'a', self: { base: 100, current: 130, delta: 30 }, total: { base: 100, current: 130, delta: 30 } },
    ]);
  });

  it('scales each side, e.g. per second of window', () => {
    const rows = diffProfiles(base, current, { baseScale: 1 / 10, currentScale: 1 / 20 });
    expect(rows.find((r) => r.function === 'a')?.self).toEqual({ base: 10, current: 6.5, delta: -3.5 });
  });

  it('keeps the delta exact beyond 2^53 when nothing is scaled', () => {
    const b = profileOf({ f: [2n ** 60n] });
    const c = profileOf({ f: [2n ** 60n + 1n] });
    expect(diffProfiles(b, c)[0].self.delta).toBe(1);
  });

  it('selects the sample type by name in both profiles', () => {
    const rows = diffProfiles(base, current, { sampleType: 'samples' });
    expect(rows.find((r) => r.function === 'main')?.total).toEqual({ base: 2, current: 2, delta: 0 });
  });

  it('refuses a base without the chosen sample type', () => {
    const other = profileOf({ main: [1] }, [['alloc_space', 'bytes']]);
    expect(() => diffProfiles(other, current)).toThrow(SampleTypeMismatchError);
    expect(() => diffProfiles(other, current)).toThrow('cannot diff cpu/nanoseconds: the base profile has [alloc_space/bytes]');
  });

  it('rejects nonsense scales', () => {
    expect(() => diffProfiles(base, current, { baseScale: Number.NaN })).toThrow('baseScale must be a finite number');
    expect(() => diffProfiles(base, current, { currentScale: -1 })).toThrow('currentScale must be a finite number');
  });
});
