import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  encodeProfile,
  functionValues,
  mergeProfiles,
  totalValue,
  type NormalizedProfile,
} from '@stackwatch/pprof';
import { pprofRaw, pprofTop, pprofTraces, type PprofRaw } from '@stackwatch/testing';

/*
 * Assertions that our reading of a profile is go tool pprof's reading of the same bytes.
 * Every expected number comes from go tool pprof output; nothing is written by hand.
 */

type StackValues = Record<string, bigint[]>;

/** Root-first frames → summed values; the key is the frames joined by " > " (JSON would hide diffs). */
function aggregate(entries: Iterable<{ frames: readonly string[]; values: readonly bigint[] }>, dropZero: boolean): StackValues {
  const out: StackValues = {};
  for (const { frames, values } of entries) {
    const key = JSON.stringify(frames);
    const sum = (out[key] ??= values.map(() => 0n));
    values.forEach((v, i) => (sum[i] += v));
  }
  if (dropZero) for (const [k, v] of Object.entries(out)) if (v.every((x) => x === 0n)) delete out[k];
  return out;
}

function ourStacks(p: NormalizedProfile, index?: number): StackValues {
  return aggregate(
    p.stacks.map((s) => ({ frames: s.frames, values: index === undefined ? s.values : [s.values[index]] })),
    index !== undefined,
  );
}

/** The stacks -traces prints: it skips samples without locations (Go goroutine profiles have some). */
function withFrames(p: NormalizedProfile): NormalizedProfile {
  return { ...p, stacks: p.stacks.filter((s) => s.frames.length > 0) };
}

/** Stacks from -raw, expanded the documented way: locations leaf-first, lines innermost-first. */
function rawStacks(raw: PprofRaw): StackValues {
  return aggregate(
    raw.samples.map((s) => {
      const frames: string[] = [];
      for (const id of [...s.locationIds].reverse()) {
        const loc = raw.locations.get(id);
        if (!loc) throw new Error(`go tool pprof -raw: sample refers to location ${id}, not in its table`);
        const hex = `0x${loc.address.toString(16)}`;
        if (loc.lines.length === 0) frames.push(hex);
        for (const name of [...loc.lines].reverse()) frames.push(name ?? hex);
      }
      return { frames, values: s.values };
    }),
    false,
  );
}

function byFunction(p: NormalizedProfile, index: number): Record<string, [flat: bigint, cum: bigint]> {
  return Object.fromEntries([...functionValues(p, index).values()].map((f) => [f.function, [f.self, f.total]]));
}

/** Per-function flat/cum and the total of one sample type, from `go tool pprof -top` over `files`. */
export async function expectTopMatches(files: string | string[], ours: NormalizedProfile, index: number): Promise<void> {
  const { type, unit } = ours.sampleTypes[index];
  const top = await pprofTop(files, { sampleIndex: index, unit });
  expect(top.type).toBe(type);
  expect(totalValue(ours, index)).toBe(top.total);
  expect(byFunction(ours, index)).toEqual(Object.fromEntries(top.rows.map((r) => [r.function, [r.flat, r.cum]])));
}

/**
 * The stack multiset of one sample type, as `go tool pprof -traces` expands it (zero values
 * dropped; frame-less samples, which -traces does not print, are checked by -raw and -top).
 */
export async function expectTracesMatch(file: string, ours: NormalizedProfile, index: number): Promise<void> {
  const traces = await pprofTraces(file, { sampleIndex: index, unit: ours.sampleTypes[index].unit });
  const theirs = aggregate(traces.map((t) => ({ frames: t.frames, values: [t.value] })), true);
  expect(ourStacks(withFrames(ours), index)).toEqual(theirs);
}

/** Header, sample types and every sample's exact values, from `go tool pprof -raw`. */
export async function expectRawMatches(file: string, ours: NormalizedProfile): Promise<void> {
  const raw = await pprofRaw(file);
  expect(ours.sampleTypes).toEqual(raw.sampleTypes);
  expect(ours.periodType).toEqual(raw.periodType);
  expect(ours.period).toBe(raw.period);
  expect(ours.defaultSampleType).toBe(raw.defaultSampleType);
  expect(ourStacks(ours)).toEqual(rawStacks(raw));
}

/** Everything above, for every sample type of a profile file we decoded into `ours`. */
export async function expectProfileMatches(file: string, ours: NormalizedProfile): Promise<void> {
  await expectRawMatches(file, ours);
  await Promise.all(
    ours.sampleTypes.flatMap((_t, i) => [expectTopMatches(file, ours, i), expectTracesMatch(file, ours, i)]),
  );
}

/**
 * Merges our decodings of `files`, then checks the merge against go tool pprof's own merge of the
 * original files (`go tool pprof -top a b c`) and that go tool pprof reads our encoding of it with
 * the same totals, per-function values and stacks.
 */
export async function expectMergeMatches(files: string[], decoded: NormalizedProfile[]): Promise<NormalizedProfile> {
  const merged = mergeProfiles(decoded);
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-merged-'));
  try {
    const encoded = join(dir, 'merged.pb.gz');
    writeFileSync(encoded, encodeProfile(merged));
    await expectRawMatches(encoded, merged);
    await Promise.all(
      merged.sampleTypes.flatMap((_t, i) => [
        expectTopMatches(files, merged, i),
        expectTopMatches(encoded, merged, i),
        expectTracesMatch(encoded, merged, i),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return merged;
}
