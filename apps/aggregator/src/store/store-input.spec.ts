import type { IngestBatch } from './profile-store';
import { checkBatches, checkLimit, checkStackHashes, checkStep, distinctBatches, rangeDays, secondBounds, StoreInputError } from './store-input';

const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const HASH = '0123456789abcdef';

function batch(overrides: Partial<IngestBatch> = {}): IngestBatch {
  return {
    messageId: 'm1',
    timeMs: T0,
    stacks: [{ service: 's', hash: HASH, frames: ['main'] }],
    samples: [{ service: 's', instance: 'i', profileId: 'p', profileType: 'cpu', sampleType: 'cpu', timeMs: T0, stackHash: HASH, value: 1 }],
    metrics: [{ service: 's', instance: 'i', name: 'cpu_percent', value: 1.5, timeMs: T0 }],
    ...overrides,
  };
}

describe('checkBatches', () => {
  it('accepts well-formed batches', () => {
    expect(() => checkBatches([batch(), batch({ messageId: 'm2' })])).not.toThrow();
  });

  it.each([
    ['an empty message id', [batch({ messageId: '' })], /batches\[0\]\.messageId: must not be empty/],
    ['a time before 1970', [batch({ timeMs: -5 })], /batches\[0\]\.timeMs: expected unix milliseconds/],
    ['a fractional sample value', [batch(), batch({ samples: [{ ...batch().samples![0], value: 1.5 }] })], /batches\[1\]\.samples\[0\]\.value/],
    ['an upper-case stack hash', [batch({ samples: [{ ...batch().samples![0], stackHash: 'ABCDEF0123456789' }] })], /samples\[0\]\.stackHash: expected 16 lowercase hex digits/],
    ['a frame that is not a string', [batch({ stacks: [{ service: 's', hash: HASH, frames: ['a', 3 as unknown as string] }] })], /stacks\[0\]\.frames\[1\]: expected a string/],
    ['a lone surrogate in a service', [batch({ metrics: [{ service: '\uD800', instance: 'i', name: 'x', value: 1, timeMs: T0 }] })], /metrics\[0\]\.service: contains a lone UTF-16 surrogate/],
    ['a NaN metric', [batch({ metrics: [{ service: 's', instance: 'i', name: 'x', value: NaN, timeMs: T0 }] })], /metrics\[0\]\.value: expected a finite number/],
    [
      'an unknown trigger',
      [batch({ profiles: [{ id: 'p', service: 's', instance: 'i', labels: {}, pid: 1, goVersion: '', type: 'cpu', startMs: T0, durationMs: 0, trigger: { kind: 'cron' } as never, sampleTypes: [], pprofGzip: new Uint8Array() }] })],
      /profiles\[0\]\.trigger\.kind: expected baseline, rule or analysis, got cron/,
    ],
  ])('names the field for %s', (_what, batches, message) => {
    expect(() => checkBatches(batches)).toThrow(StoreInputError);
    expect(() => checkBatches(batches)).toThrow(message);
  });

  it('still checks a later sample that repeats accepted strings but breaks a number', () => {
    const sample = batch().samples![0];
    expect(() => checkBatches([batch({ samples: [sample, { ...sample, value: Infinity }] })])).toThrow(/samples\[1\]\.value/);
    expect(() => checkBatches([batch({ samples: [sample, { ...sample, timeMs: 1e16 }] })])).toThrow(/samples\[1\]\.timeMs/);
  });
});

describe('ranges and limits', () => {
  it('lists the UTC days a closed-open range touches', () => {
    expect(rangeDays({ fromMs: T0, toMs: T0 + 1 })).toEqual({ first: '2026-11-26', last: '2026-11-26' });
    // toMs is excluded: a range ending at midnight does not touch the next day.
    expect(rangeDays({ fromMs: T0, toMs: Date.UTC(2026, 10, 27) })).toEqual({ first: '2026-11-26', last: '2026-11-26' });
    expect(rangeDays({ fromMs: T0, toMs: T0 })).toBeUndefined();
    expect(() => rangeDays({ fromMs: 1.5, toMs: 2 })).toThrow(/range\.fromMs/);
  });

  it('rounds second-precision bounds up, so a row at second s is in range when s × 1000 is', () => {
    expect(secondBounds({ fromMs: 1001, toMs: 3000 })).toEqual({ fromMs: 2000, toMs: 3000 });
    expect(secondBounds({ fromMs: 1000, toMs: 2001 })).toEqual({ fromMs: 1000, toMs: 3000 });
  });

  it('refuses limits, steps and stack hashes it cannot serve, by name', () => {
    expect(() => checkLimit(0)).toThrow(/limit: expected an integer from 1/);
    expect(() => checkStep({ fromMs: 0, toMs: 1, service: 's', name: 'n', stepMs: 999 })).toThrow(/stepMs: expected whole milliseconds ≥ 1000/);
    expect(() => checkStep({ fromMs: 0, toMs: 1e12, service: 's', name: 'n', stepMs: 1000 })).toThrow(/more than 100000 buckets/);
    expect(() => checkStackHashes(['xyz'], 'stackHashes')).toThrow(/stackHashes\[0\]: expected 16 lowercase hex digits/);
  });

  it('keeps the first batch of each message id in a call', () => {
    const a = batch();
    expect(distinctBatches([a, { ...a, timeMs: 1 }, batch({ messageId: 'm2' })]).map((b) => [b.messageId, b.timeMs])).toEqual([
      ['m1', T0],
      ['m2', T0],
    ]);
  });
});
