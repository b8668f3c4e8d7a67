import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProfile, stackHash } from '@stackwatch/pprof';
import { clampToSafeInteger, profileRows } from './profile-rows';

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'profiles');

const meta = (type: string, pprofGzip: Uint8Array) => ({
  id: 'p-1',
  service: 'checkout',
  instance: 'checkout-0',
  labels: { zone: 'a' },
  pid: 42,
  goVersion: 'go1.26.8',
  type,
  startMs: 1_700_000_000_123,
  durationMs: 10_000,
  trigger: { kind: 'baseline' } as const,
  pprofGzip,
});

describe('profileRows', () => {
  it('writes one sample per stack and non-zero sample type, and each referenced stack once', () => {
    const file = readdirSync(fixtures).find((f) => f.endsWith('-heap.pb.gz'))!;
    const bytes = readFileSync(join(fixtures, file));
    const decoded = decodeProfile(bytes);
    const rows = profileRows(meta('heap', bytes), decoded);

    expect(rows.profile.sampleTypes.map((t) => t.type)).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
    expect(rows.profile.pprofGzip).toBe(bytes);
    const nonZero = decoded.stacks.flatMap((s) => s.values.filter((v) => v !== 0n));
    expect(rows.samples).toHaveLength(nonZero.length);
    expect(rows.samples.every((s) => s.value !== 0 && s.profileId === 'p-1' && s.timeMs === 1_700_000_000_123)).toBe(true);
    expect(new Set(rows.stacks.map((s) => s.hash)).size).toBe(rows.stacks.length);
    for (const stack of rows.stacks) expect(stack.hash).toBe(stackHash(stack.frames));
    // Grouped by sample type, so the store encodes each group's shared columns once.
    const runs = rows.samples.filter((s, i) => i === 0 || s.sampleType !== rows.samples[i - 1].sampleType).map((s) => s.sampleType);
    expect(runs).toEqual([...new Set(runs)]);
    const referenced = new Set(rows.samples.map((s) => s.stackHash));
    expect(referenced).toEqual(new Set(rows.stacks.map((s) => s.hash)));
    // Sums per sample type equal the profile's totals.
    decoded.sampleTypes.forEach((t, i) => {
      const total = decoded.stacks.reduce((sum, s) => sum + (s.values[i] ?? 0n), 0n);
      expect(rows.samples.filter((s) => s.sampleType === t.type).reduce((sum, s) => sum + s.value, 0)).toBe(Number(total));
    });
  });

  it('clamps int64 values to the safe integer range', () => {
    expect(clampToSafeInteger(2n ** 62n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(clampToSafeInteger(-(2n ** 62n))).toBe(Number.MIN_SAFE_INTEGER);
    expect(clampToSafeInteger(-5n)).toBe(-5);
  });
});

