import { stackHash } from '@stackwatch/pprof';
import { decimalToHash, hashToDecimal, hourSeconds, seriesId, stacksText, tablesText } from './clickhouse-rows';
import type { IngestBatch } from './profile-store';

const T0 = Date.UTC(2026, 10, 26, 10, 30, 15, 250);
const HASH = 'ff00000000000001';

function lines(chunks: readonly string[]): Record<string, unknown>[] {
  return chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const batch: IngestBatch = {
  messageId: 'm1',
  timeMs: T0,
  profiles: [
    {
      id: 'p1',
      service: 'svc "quoted"',
      instance: 'i\n1',
      labels: { zone: 'eu' },
      pid: 7,
      goVersion: 'go1.26',
      type: 'cpu',
      startMs: T0,
      durationMs: 5000,
      trigger: { kind: 'rule', rule: 'cpu', value: 91, average: 10, threshold: 70, eventId: 'e1' },
      sampleTypes: [{ type: 'cpu', unit: 'nanoseconds' }],
      pprofGzip: new Uint8Array([0x1f, 0x8b, 0]),
    },
  ],
  samples: [
    { service: 'svc "quoted"', instance: 'i\n1', profileId: 'p1', profileType: 'cpu', sampleType: 'cpu', timeMs: T0, stackHash: HASH, value: -3 },
    { service: 'svc "quoted"', instance: 'i\n1', profileId: 'p1', profileType: 'cpu', sampleType: 'cpu', timeMs: T0, stackHash: '0000000000000002', value: 9007199254740991 },
    { service: 'svc "quoted"', instance: 'i\n1', profileId: 'elsewhere', profileType: 'cpu', sampleType: 'cpu', timeMs: T0, stackHash: HASH, value: 1 },
  ],
};

describe('tablesText', () => {
  it('encodes samples as JSONEachRow with the copy id of their profile, hour, series and the hash as UInt64', () => {
    let copies = 0;
    const text = tablesText([batch], () => String(++copies), 0);
    const [profile] = lines(text.profiles.chunks);
    expect(profile).toMatchObject({ date: '2026-11-26', time: Math.floor(T0 / 1000), start_ms: T0, id: 'p1', copy_id: '1', trigger_kind: 'rule', trigger_name: 'cpu', pprof_base64: 'H4sA' });
    const samples = lines(text.samples.chunks);
    expect(samples[0]).toEqual({
      date: '2026-11-26',
      time: Math.floor(T0 / 1000),
      hour: Date.UTC(2026, 10, 26, 10) / 1000,
      series: seriesId('svc "quoted"', 'cpu', 'cpu'),
      service: 'svc "quoted"',
      instance: 'i\n1',
      profile_id: 'p1',
      copy_id: '1',
      profile_type: 'cpu',
      sample_type: 'cpu',
      stack_hash: hashToDecimal(HASH),
      value: -3,
    });
    expect(samples[1]).toMatchObject({ copy_id: '1', stack_hash: '2', value: 9007199254740991 });
    // A sample whose profile is not in the message gets a copy no profile row names.
    expect(samples[2]).toMatchObject({ profile_id: 'elsewhere', copy_id: '2' });
    expect(lines(text.ingested.chunks)).toEqual([{ date: '2026-11-26', message_id: 'm1', written_at: 0 }]);
    expect(text.metrics.rows).toBe(0);
  });

  it('cuts large tables into chunks without losing a row', () => {
    const many: IngestBatch = { ...batch, samples: Array.from({ length: 20_000 }, (_, i) => ({ ...batch.samples![0], value: i })) };
    const text = tablesText([many]);
    expect(text.samples.rows).toBe(20_000);
    expect(text.samples.chunks.length).toBe(3);
    expect(lines(text.samples.chunks).map((r) => r.value)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });

  it('encodes stacks with their frames', () => {
    expect(lines(stacksText([{ day: '2026-11-26', service: 's', hash: HASH, frames: ['a', "b'"], key: 'k' }]).chunks)).toEqual([
      { date: '2026-11-26', service: 's', stack_hash: '18374686479671623681', frames: ['a', "b'"] },
    ]);
  });
});

describe('hash and time encodings', () => {
  it('round-trips stack hashes through UInt64 decimal text', () => {
    for (const hash of [HASH, '0000000000000000', 'ffffffffffffffff', stackHash(['main'])]) expect(decimalToHash(hashToDecimal(hash))).toBe(hash);
  });

  it('names a series by the three names, length-prefixed', () => {
    expect(seriesId('a', 'b', 'c')).toBe(hashToDecimal(stackHash(['a', 'b', 'c'])));
    expect(seriesId('ab', 'c', 'd')).not.toBe(seriesId('a', 'bc', 'd'));
  });

  it('floors a time to its UTC hour in seconds', () => {
    expect(hourSeconds(T0)).toBe(Date.UTC(2026, 10, 26, 10) / 1000);
  });
});
