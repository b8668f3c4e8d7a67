import { selectSampleType, totalValue } from './sample-type';
import { profileOf } from './spec-support/profiles';
import { functionValues, topFunctions } from './top';

const heap: Array<[string, string]> = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
];

describe('selectSampleType', () => {
  const p = profileOf({ main: [1, 2, 3, 4] }, heap);

  it('defaults to the last sample type, like go tool pprof', () => {
    expect(selectSampleType(p)).toEqual({ index: 3, type: 'inuse_space', unit: 'bytes' });
  });

  it('defaults to defaultSampleType when it names a sample type', () => {
    expect(selectSampleType({ ...p, defaultSampleType: 'alloc_space' }).index).toBe(1);
    expect(selectSampleType({ ...p, defaultSampleType: 'nonsense' }).index).toBe(3);
  });

  it('resolves names, legacy inuse_ names and indexes', () => {
    expect(selectSampleType(p, 'alloc_objects').index).toBe(0);
    expect(selectSampleType(p, 2).index).toBe(2);
    expect(selectSampleType(p, '1').index).toBe(1);
    expect(selectSampleType(profileOf({}, [['space', 'bytes'], ['objects', 'count']]), 'inuse_objects').index).toBe(1);
  });

  it('rejects unknown names and indexes out of range', () => {
    expect(() => selectSampleType(p, 'cpu')).toThrow(
      'sample type "cpu" is not one of [alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes]',
    );
    expect(() => selectSampleType(p, 4)).toThrow('sample type index 4 is outside [0..3]');
    expect(() => selectSampleType(p, -1)).toThrow(RangeError);
    expect(() => selectSampleType(profileOf({}, []))).toThrow('the profile has no sample types');
  });

  it('totalValue sums one sample type', () => {
    expect(totalValue(profileOf({ a: [1, 10, 0, 0], 'a;b': [2, -3, 0, 0] }, heap), 'alloc_space')).toBe(7n);
  });
});

describe('topFunctions', () => {
  const p = profileOf({
    'main;rec;rec;rec;leaf': [10],
    'main;rec;rec': [5],
    'main;other': [7],
    'main;zero': [0],
    main: [1],
    '': [100],
  });

  it('counts a recursive function once per stack in total', () => {
    const byName = Object.fromEntries(topFunctions(p, { order: 'total' }).map((r) => [r.function, [r.self, r.total]]));
    expect(byName).toEqual({
      main: [1n, 23n],
      rec: [5n, 15n],
      leaf: [10n, 10n],
      other: [7n, 7n],
    });
  });

  it('orders by self or total, then by name', () => {
    const tied = profileOf({ 'x;b': [2], 'x;a': [2], 'x;c': [3] });
    expect(topFunctions(tied, { order: 'self' }).map((r) => r.function)).toEqual(['c', 'a', 'b', 'x']);
    expect(topFunctions(tied, { order: 'total' }).map((r) => r.function)).toEqual(['x', 'c', 'a', 'b']);
    expect(topFunctions(tied, { order: 'self', limit: 2 }).map((r) => r.function)).toEqual(['c', 'a']);
  });

  it('orders by magnitude when values are negative, as go tool pprof does', () => {
    const diffLike = profileOf({ 'm;a': [-9], 'm;b': [4] });
    expect(topFunctions(diffLike, { order: 'self' })).toEqual([
      { function: 'a', self: -9n, total: -9n },
      { function: 'b', self: 4n, total: 4n },
      { function: 'm', self: 0n, total: -5n },
    ]);
  });

  it('reads the requested sample type', () => {
    const two = profileOf({ 'm;a': [1, 100], 'm;b': [5, 1] }, [['samples', 'count'], ['cpu', 'nanoseconds']]);
    expect(topFunctions(two, { order: 'self', limit: 1 })[0].function).toBe('a');
    expect(topFunctions(two, { order: 'self', limit: 1, sampleType: 'samples' })[0].function).toBe('b');
    expect(functionValues(two, 0).get('m')).toEqual({ function: 'm', self: 0n, total: 6n });
  });
});
