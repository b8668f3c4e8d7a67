import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { decodeProfile, topFunctions, totalValue, type NormalizedProfile } from '@stackwatch/pprof';
import { goToolchains, startFaultFixtures, stopAll, waitFor, type FixtureInstance } from '@stackwatch/testing';

import { expectMergeMatches, expectProfileMatches } from './conformance';

/*
 * Profiles captured from running faultsvc instances built with each supported Go, while background
 * traffic and faults run, read by us and by go tool pprof (newest Go) from the very same bytes.
 * STACKWATCH_SAVE_PROFILES=1 also copies instance 0's profiles to test/fixtures/profiles/.
 */

const KINDS = ['cpu', 'heap', 'goroutine', 'mutex'] as const;
type Kind = (typeof KINDS)[number];
const INSTANCES = 2;
const FIXTURES_DIR = resolve(__dirname, '../../fixtures/profiles');

async function fetchProfile(instance: FixtureInstance, path: string, timeoutMs = 10_000): Promise<Buffer> {
  const res = await instance.get(path, timeoutMs);
  if (res.status !== 200) throw new Error(`GET ${instance.url}${path}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
  return res.body;
}

async function capture(instance: FixtureInstance): Promise<Record<Kind, Buffer>> {
  // Faults first so every profile has something to show, then the CPU profile while the burn runs.
  await instance.get('/fault/alloc?mb=64');
  await instance.get('/fault/leak?n=40');
  await instance.get('/fault/cpu?seconds=3&workers=1');
  const cpu = await fetchProfile(instance, '/debug/pprof/profile?seconds=2', 15_000);
  const [heap, goroutine] = await Promise.all([
    fetchProfile(instance, '/debug/pprof/heap?gc=1'),
    fetchProfile(instance, '/debug/pprof/goroutine'),
  ]);
  // Contention under background traffic is sparse (and sampled 1 in 5): wait until some shows.
  const mutex = await waitFor(
    'contention in the mutex profile',
    async () => {
      const bytes = await fetchProfile(instance, '/debug/pprof/mutex');
      return decodeProfile(bytes).stacks.length > 0 ? bytes : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500 },
  );
  return { cpu, heap, goroutine, mutex };
}

describe.each(goToolchains().map((t) => [t.label, t] as const))('profiles captured from %s fixtures', (label, toolchain) => {
  let instances: FixtureInstance[] = [];
  let dir = '';
  const files = {} as Record<Kind, string[]>;
  const decoded = {} as Record<Kind, NormalizedProfile[]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `stackwatch-pprof-${label}-`));
    instances = await startFaultFixtures({ count: INSTANCES, toolchain, backgroundRps: 800 });
    const captured = await Promise.all(instances.map(capture));
    for (const kind of KINDS) {
      files[kind] = captured.map((c, i) => {
        const file = join(dir, `${i}-${kind}.pb.gz`);
        writeFileSync(file, c[kind]);
        return file;
      });
      decoded[kind] = captured.map((c) => decodeProfile(c[kind]));
    }
    if (process.env.STACKWATCH_SAVE_PROFILES === '1') {
      mkdirSync(FIXTURES_DIR, { recursive: true });
      for (const kind of KINDS) copyFileSync(files[kind][0], join(FIXTURES_DIR, `${label}-${kind}.pb.gz`));
    }
  }, 240_000); // a cold cache builds faultsvc first (the launcher allows 5 min); warm, ~10 s

  afterAll(async () => {
    await stopAll(instances);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('captured non-trivial profiles naming the faults', () => {
    const leaf = (p: NormalizedProfile, sampleType?: string): string[] =>
      topFunctions(p, { order: 'total', sampleType }).map((f) => f.function);
    for (const p of decoded.cpu) expect(leaf(p)).toContain('main.burnCPU');
    for (const p of decoded.heap) expect(leaf(p, 'inuse_space')).toContain('main.allocateHugeSlice');
    for (const p of decoded.goroutine) expect(leaf(p)).toContain('main.leakyConsumer');
    for (const p of decoded.mutex) expect(totalValue(p, 'contentions')).toBeGreaterThan(0n);
  });

  it.each(KINDS)('%s: every sample type reads the same as go tool pprof (top, traces, raw)', async (kind) => {
    for (const [i, file] of files[kind].entries()) await expectProfileMatches(file, decoded[kind][i]);
  });

  it.each(KINDS)('%s: our merge equals go tool pprof merging the same files, and our encoding reads back', async (kind) => {
    const merged = await expectMergeMatches(files[kind], decoded[kind]);
    expect(merged.stacks.length).toBeGreaterThan(0);
  });
});
