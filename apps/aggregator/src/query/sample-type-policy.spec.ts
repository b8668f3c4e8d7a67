import { chooseSampleType, isGauge, nominalSampleType } from './sample-type-policy';

const cpu = [
  { type: 'samples', unit: 'count' },
  { type: 'cpu', unit: 'nanoseconds' },
];
const heap = [
  { type: 'alloc_objects', unit: 'count' },
  { type: 'alloc_space', unit: 'bytes' },
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
];
const mutex = [
  { type: 'contentions', unit: 'count' },
  { type: 'delay', unit: 'nanoseconds' },
];

describe('isGauge', () => {
  it('averages snapshots: in-use memory, goroutines, threads', () => {
    expect(isGauge('heap', 'inuse_space')).toBe(true);
    expect(isGauge('heap', 'inuse_objects')).toBe(true);
    expect(isGauge('goroutine', 'goroutine')).toBe(true);
    expect(isGauge('threadcreate', 'threadcreate')).toBe(true);
    expect(isGauge('goroutineleak', 'goroutineleak')).toBe(true);
  });

  it('sums what happened during a profile: cpu, allocations, contention', () => {
    expect(isGauge('cpu', 'cpu')).toBe(false);
    expect(isGauge('cpu', 'samples')).toBe(false);
    expect(isGauge('heap', 'alloc_space')).toBe(false);
    expect(isGauge('allocs', 'alloc_objects')).toBe(false);
    expect(isGauge('mutex', 'delay')).toBe(false);
    expect(isGauge('block', 'contentions')).toBe(false);
  });
});

describe('chooseSampleType', () => {
  it('defaults like go tool pprof shows Go profiles', () => {
    expect(chooseSampleType('cpu', cpu, undefined)).toEqual({ sampleType: 'cpu', unit: 'nanoseconds' });
    expect(chooseSampleType('heap', heap, undefined)).toEqual({ sampleType: 'inuse_space', unit: 'bytes' });
    expect(chooseSampleType('allocs', heap, undefined)).toEqual({ sampleType: 'alloc_space', unit: 'bytes' });
    expect(chooseSampleType('mutex', mutex, undefined)).toEqual({ sampleType: 'delay', unit: 'nanoseconds' });
    expect(chooseSampleType('block', mutex, undefined)).toEqual({ sampleType: 'delay', unit: 'nanoseconds' });
    expect(chooseSampleType('goroutine', [{ type: 'goroutine', unit: 'count' }], undefined)).toEqual({ sampleType: 'goroutine', unit: 'count' });
  });

  it('falls back to the last sample type when the usual one is missing', () => {
    expect(chooseSampleType('heap', [{ type: 'space', unit: 'bytes' }, { type: 'objects', unit: 'count' }], undefined)).toEqual({
      sampleType: 'objects',
      unit: 'count',
    });
  });

  it('takes a requested sample type the profiles have', () => {
    expect(chooseSampleType('heap', heap, 'alloc_objects')).toEqual({ sampleType: 'alloc_objects', unit: 'count' });
  });

  it('refuses a sample type the profiles lack, naming the parameter and what exists', () => {
    expect(() => chooseSampleType('cpu', cpu, 'inuse_space')).toThrow(
      'parameter "sampleType": "inuse_space" is not a sample type of the cpu profiles (samples, cpu)',
    );
    expect(() => chooseSampleType('cpu', cpu, "x' OR 1=1 --")).toThrow(/^parameter "sampleType"/);
  });

  it('refuses profiles without sample types', () => {
    expect(() => chooseSampleType('cpu', [], undefined)).toThrow('the stored cpu profiles have no sample types');
  });
});

describe('nominalSampleType', () => {
  it('names the requested or usual sample type when no profile says', () => {
    expect(nominalSampleType('heap', undefined)).toBe('inuse_space');
    expect(nominalSampleType('heap', 'alloc_space')).toBe('alloc_space');
  });
});
