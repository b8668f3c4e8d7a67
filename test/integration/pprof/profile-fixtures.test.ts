import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { decodeProfile, encodeProfile, totalValue, type NormalizedProfile } from '@stackwatch/pprof';

import { expectMergeMatches, expectProfileMatches, expectRawMatches } from './conformance';

/*
 * The committed profiles in test/fixtures/profiles (captured from faultsvc by live-capture.test.ts
 * with STACKWATCH_SAVE_PROFILES=1), checked against go tool pprof without starting anything, so a
 * regression shows even where live capture cannot run.
 */

const DIR = resolve(__dirname, '../../fixtures/profiles');
const files = readdirSync(DIR).filter((f) => f.endsWith('.pb.gz')).sort();
const kinds = [...new Set(files.map((f) => /^go[\d.]+-(\w+)\.pb\.gz$/.exec(f)?.[1]).filter((k): k is string => !!k))];

describe('committed profile fixtures', () => {
  it('are there, for each Go version and profile kind', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect([...kinds].sort()).toEqual(['cpu', 'goroutine', 'heap', 'mutex']);
  });

  it.each(files)('%s reads the same as go tool pprof (top, traces, raw)', async (name) => {
    const file = join(DIR, name);
    const profile = decodeProfile(readFileSync(file));
    expect(totalValue(profile)).toBeGreaterThan(0n);
    await expectProfileMatches(file, profile);
  });

  it.each(kinds)('%s profiles of every Go version merge as go tool pprof merges them', async (kind) => {
    const group = files.filter((f) => f.includes(`-${kind}.`)).map((f) => join(DIR, f));
    expect(group.length).toBeGreaterThanOrEqual(2);
    await expectMergeMatches(group, group.map((f) => decodeProfile(readFileSync(f))));
  });

  it('int64 values beyond 2^53 and negative values survive our encoding into go tool pprof', async () => {
    // -top prints through float64 and so is exact only below 2^53: -raw prints int64 as is.
    const heap = decodeProfile(readFileSync(join(DIR, 'go1.26-heap.pb.gz')));
    const extreme: NormalizedProfile = {
      ...heap,
      stacks: heap.stacks.map((s, i) => ({
        frames: s.frames,
        values: s.values.map((v) => (i % 2 === 0 ? 1n : -1n) * (v * 2n ** 30n + 1n)),
      })),
    };
    expect(extreme.stacks.some((s) => s.values.some((v) => v > 2n ** 53n))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'stackwatch-extreme-'));
    try {
      const file = join(dir, 'extreme.pb.gz');
      writeFileSync(file, encodeProfile(extreme));
      await expectRawMatches(file, extreme);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
