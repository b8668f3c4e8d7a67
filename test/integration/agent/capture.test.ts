import { decodeProfile, topFunctions } from '@stackwatch/pprof';
import { goToolchains, startFaultFixtures, waitFor, type FixtureInstance } from '@stackwatch/testing';
import { EventCapturer, DEFAULT_CAPTURER_OPTIONS } from '../../../apps/agent/src/capture/event-capturer';
import { FlightRecorder } from '../../../apps/agent/src/capture/flight-recorder';
import { CaptureError, CpuProfilerBusyError, PprofClient } from '../../../apps/agent/src/capture/pprof-client';

const names = (pprofGzip: Buffer, sampleType?: string) =>
  topFunctions(decodeProfile(pprofGzip), { order: 'total', sampleType }).map((f) => f.function);

describe.each(goToolchains())('capture against a real Go target built with %s', (toolchain) => {
  let fixture: FixtureInstance;
  let client: PprofClient;

  beforeAll(async () => {
    [fixture] = await startFaultFixtures({ count: 1, toolchain, backgroundRps: 20 });
    client = new PprofClient(new URL(fixture.url));
  }, 240_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  it('fetches instant profiles as gzipped pprof', async () => {
    for (const type of ['heap', 'goroutine', 'threadcreate', 'allocs', 'mutex'] as const) {
      const profile = await client.profile(type);
      expect(profile.pprofGzip.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(decodeProfile(profile.pprofGzip).sampleTypes.length).toBeGreaterThan(0);
    }
  });

  it('reads goroutine dumps in both text forms', async () => {
    expect(await client.goroutineText(1)).toMatch(/^goroutine profile: total \d+/);
    expect(await client.goroutineText(2)).toMatch(/^goroutine \d+ \[/);
  });

  it('reports a busy CPU profiler as CpuProfilerBusyError, and other HTTP errors as CaptureError', async () => {
    const first = client.cpuProfile(2);
    await new Promise((r) => setTimeout(r, 300));
    await expect(client.cpuProfile(1)).rejects.toBeInstanceOf(CpuProfilerBusyError);
    expect((await first).durationMs).toBeGreaterThanOrEqual(1900);
    await expect(new PprofClient(new URL(`${fixture.url}/nope/`)).profile('heap')).rejects.toBeInstanceOf(CaptureError);
  });

  it('flight recorder keeps the last two windows and ships the window covering a spike', async () => {
    const outcomes: string[] = [];
    const lines: string[] = [];
    const recorder = new FlightRecorder(client, { windowMs: 1000, log: (l) => lines.push(l), onWindow: (o) => outcomes.push(o) });
    // Someone else holds the profiler when the recorder starts: it says so once and recovers.
    const foreign = fixture.get('/debug/pprof/profile?seconds=3', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    recorder.start();
    try {
      expect((await foreign).status).toBe(200);
      await waitFor('two recorded windows', () => recorder.recent().length === 2, { timeoutMs: 15_000 });
      expect(outcomes).toContain('busy');
      expect(lines.filter((l) => l.includes('cpu profiling already in use'))).toHaveLength(1);
      expect(lines).toContain('flight recorder: recording again');

      await fixture.get('/fault/cpu?seconds=2&workers=1');
      const spikeAt = Date.now();
      const windows = await recorder.windowsCovering(spikeAt, 10_000);
      expect(windows).toHaveLength(2);
      expect(windows[1].startMs + windows[1].durationMs).toBeGreaterThanOrEqual(spikeAt);
      expect(windows.flatMap((w) => names(w.pprofGzip))).toContain('main.burnCPU');
    } finally {
      await recorder.stop();
    }
  });

  it('captures a CPU profile on demand naming the busy loop when there is no recorder', async () => {
    const outcomes: string[] = [];
    const capturer = new EventCapturer(client, undefined, {
      ...DEFAULT_CAPTURER_OPTIONS,
      cpuSeconds: 2,
      onCapture: (type, outcome) => outcomes.push(`${type}:${outcome}`),
    });
    await fixture.get('/fault/cpu?seconds=3&workers=1');
    const [profile] = await capturer.capture('cpu', Date.now());
    expect(names(profile.pprofGzip)).toContain('main.burnCPU');
    expect(outcomes).toEqual(['cpu:ok']);
  });

  it('captures the heap with the huge allocation site in inuse_space, and threads with threadcreate + goroutine', async () => {
    const capturer = new EventCapturer(client, undefined, { ...DEFAULT_CAPTURER_OPTIONS, heapPairGapMs: 100, onCapture: () => undefined });
    await fixture.get('/fault/alloc?mb=256', 60_000);
    try {
      const [heap] = await capturer.capture('heap', Date.now());
      expect(names(heap.pprofGzip, 'inuse_space').slice(0, 10)).toContain('main.allocateHugeSlice');
      const pair = await capturer.capture('heap_pair', Date.now());
      expect(pair.map((p) => p.type)).toEqual(['heap', 'heap']);
    } finally {
      await fixture.get('/fault/reset');
    }
    const threads = await capturer.capture('threads', Date.now());
    expect(threads.map((p) => p.type)).toEqual(['threadcreate', 'goroutine']);
  });
});
