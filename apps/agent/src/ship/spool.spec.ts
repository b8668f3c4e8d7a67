import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage } from '@stackwatch/contract';
import { Registry } from 'prom-client';
import { encodeAgentMessage } from './agent-message';
import { Spool, type SpoolOptions } from './spool';
import { entryFileName, frame } from './spool-file';

const metrics = (id: string, value = 1): AgentMessage => ({
  metrics: { id, target: { service: 'svc', instance: 'i-1' }, points: [{ name: 'goroutines', value, time_unix_ms: 1_700_000_000_000 }] },
});

describe('Spool', () => {
  let dir: string;
  let lines: string[];
  let registry: Registry;
  const options = (extra: Partial<SpoolOptions> = {}): SpoolOptions => ({
    maxBytes: 1024 * 1024,
    registry,
    log: (line) => lines.push(line),
    ...extra,
  });
  const ids = (spool: Spool) => [...spool.pending()].map((e) => e.id);
  const entryFiles = () => readdirSync(dir).filter((n) => n.endsWith('.msg')).sort();
  const metricValue = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-spec-'));
    lines = [];
    registry = new Registry();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps order and content across a crash (reopened without close)', async () => {
    const first = await Spool.open(dir, options());
    for (let i = 0; i < 5; i++) await first.append(metrics(`m-${i}`, i));
    await first.remove('m-1');
    // No close(): the process "died" here. A new instance sees only what is on disk.
    const second = await Spool.open(dir, options({ registry: new Registry() }));
    expect(ids(second)).toEqual(['m-0', 'm-2', 'm-3', 'm-4']);
    expect(second.bytes()).toBe(first.bytes());
    const entry = second.get('m-3')!;
    expect(await second.read(entry)).toMatchObject({ body: 'metrics', metrics: { id: 'm-3', points: [{ value: 3 }] } });
    expect(lines).toContain('spool: recovered 4 message(s), ' + second.bytes() + ' bytes');
  });

  it('keeps increasing the sequence after a restart, even once empty', async () => {
    const first = await Spool.open(dir, options());
    await first.append(metrics('a'));
    const seqA = first.get('a')!.seq;
    await first.remove('a');
    await first.close();
    const second = await Spool.open(dir, options());
    await second.append(metrics('b'));
    expect(second.get('b')!.seq).toBeGreaterThan(seqA);
  });

  it('deletes temp files a crash left behind', async () => {
    const spool = await Spool.open(dir, options());
    await spool.append(metrics('kept'));
    writeFileSync(join(dir, `${entryFileName(99)}.tmp`), 'half a message');
    writeFileSync(join(dir, 'sequence.tmp'), '12');
    const reopened = await Spool.open(dir, options());
    expect(ids(reopened)).toEqual(['kept']);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(lines).toContain('spool: deleted 2 unfinished write(s) left by a crash');
  });

  it('skips and deletes corrupt entries with a log line', async () => {
    const spool = await Spool.open(dir, options());
    await spool.append(metrics('good'));
    await spool.append(metrics('flipped'));
    const flipped = join(dir, entryFileName(spool.get('flipped')!.seq));
    const data = readFileSync(flipped);
    data[data.length - 3] ^= 0xff;
    writeFileSync(flipped, data);
    writeFileSync(join(dir, entryFileName(7_000_000)), 'not a spool entry at all');
    // A valid frame around bytes that are no AgentMessage.
    writeFileSync(join(dir, entryFileName(7_000_001)), frame(Buffer.from([0xff, 0xff, 0xff])));

    const reopened = await Spool.open(dir, options());
    expect(ids(reopened)).toEqual(['good']);
    expect(lines.filter((l) => l.startsWith('spool: skipping corrupt'))).toHaveLength(3);
    expect(lines.join('\n')).toMatch(/checksum mismatch/);
    expect(entryFiles()).toEqual([entryFileName(reopened.get('good')!.seq)]);
  });

  it('stores the gRPC encoding of the message, behind a checksummed header', async () => {
    const spool = await Spool.open(dir, options());
    const message = metrics('wire');
    await spool.append(message);
    const file = readFileSync(join(dir, entryFiles()[0]));
    expect(file.subarray(8).equals(encodeAgentMessage(message))).toBe(true);
    expect(spool.get('wire')!.payloadBytes).toBe(file.length - 8);
  });

  it('stores an id once', async () => {
    const spool = await Spool.open(dir, options());
    await spool.append(metrics('same', 1));
    await spool.append(metrics('same', 2));
    expect(spool.size()).toBe(1);
    expect((await spool.read(spool.get('same')!))?.metrics?.points[0].value).toBe(1);
  });

  it('refuses hellos and messages without an id', async () => {
    const spool = await Spool.open(dir, options());
    await expect(spool.append({ hello: { agent_id: 'a' } })).rejects.toThrow(/hello/);
    await expect(spool.append({ event: { kind: 'cpu' } })).rejects.toThrow(/no id/);
    expect(spool.size()).toBe(0);
  });

  it('drops the oldest entries past maxBytes, counts them and reports once a minute', async () => {
    let now = 1_000_000;
    const probe = await Spool.open(join(dir, 'probe'), options({ registry: new Registry() }));
    await probe.append(metrics('m-00'));
    const entryBytes = probe.bytes();

    const spool = await Spool.open(join(dir, 'bounded'), options({ maxBytes: entryBytes * 3, now: () => now }));
    for (let i = 0; i < 5; i++) await spool.append(metrics(`m-0${i}`));
    expect(ids(spool)).toEqual(['m-02', 'm-03', 'm-04']);
    expect(spool.bytes()).toBe(entryBytes * 3);
    expect(await metricValue('stackwatch_spool_dropped_total')).toBe(2);
    expect(await metricValue('stackwatch_spool_bytes')).toBe(entryBytes * 3);
    // The first drop is reported at once, the second waits for the minute to pass.
    expect(lines.filter((l) => l.startsWith('spool full'))).toEqual(['spool full: dropped 1 oldest message(s) (1 since start)']);

    now += 61_000;
    await spool.append(metrics('m-05'));
    expect(lines.filter((l) => l.startsWith('spool full'))).toEqual([
      'spool full: dropped 1 oldest message(s) (1 since start)',
      'spool full: dropped 2 oldest message(s) (3 since start)',
    ]);
    await spool.close();
    expect(readdirSync(join(dir, 'bounded')).filter((n) => n.endsWith('.msg'))).toHaveLength(3);
  });

  it('drops a message larger than the whole spool, keeping the rest', async () => {
    const spool = await Spool.open(dir, options({ maxBytes: 200 }));
    await spool.append(metrics('small'));
    await spool.append({ profile: { id: 'huge', type: 'heap', pprof_gzip: Buffer.alloc(1000) } });
    expect(ids(spool)).toEqual(['small']);
    expect(await metricValue('stackwatch_spool_dropped_total')).toBe(1);
    expect(lines.join('\n')).toMatch(/profile huge is \d+ bytes, more than the whole spool/);
  });

  it('answers undefined for an entry removed meanwhile, and drops one corrupted after recovery', async () => {
    const spool = await Spool.open(dir, options());
    await spool.append(metrics('gone'));
    await spool.append(metrics('rotten'));
    const gone = spool.get('gone')!;
    await spool.remove('gone');
    expect(await spool.read(gone)).toBeUndefined();

    // Reopened, nothing is held in memory: the read goes to the disk, where the file rotted.
    const reopened = await Spool.open(dir, options());
    const rotten = reopened.get('rotten')!;
    writeFileSync(join(dir, entryFileName(rotten.seq)), 'bit rot');
    expect(await reopened.read(rotten)).toBeUndefined();
    expect(reopened.size()).toBe(0);
    expect(reopened.bytes()).toBe(0);
  });

  it('serves recent appends from memory, larger ones from the disk', async () => {
    const spool = await Spool.open(dir, options({ maxBytes: 4 * 1024 * 1024 }));
    await spool.append(metrics('recent', 7));
    await spool.append({ profile: { id: 'large', type: 'heap', pprof_gzip: Buffer.alloc(300 * 1024, 1) } });
    for (const name of entryFiles()) rmSync(join(dir, name)); // the disk copies vanish
    expect((await spool.read(spool.get('recent')!))?.metrics?.points[0].value).toBe(7);
    expect(await spool.read(spool.get('large')!)).toBeUndefined();
  });

  it('fsyncs profiles and events, not metric batches and statuses', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const sync = jest.spyOn(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
    await probe.close();
    try {
      const spool = await Spool.open(dir, options());
      await spool.append(metrics('first')); // leases a block of sequence numbers: a synced write
      sync.mockClear();
      await spool.append(metrics('m'));
      await spool.append({ target_status: { id: 's', target: { service: 'svc', instance: 'i-1' }, state: 'TARGET_STATE_UP' } });
      expect(sync).not.toHaveBeenCalled();
      await spool.append({ profile: { id: 'p', type: 'heap', pprof_gzip: Buffer.from([1, 2, 3]) } });
      expect(sync).toHaveBeenCalledTimes(2); // the file, then its directory
      await spool.append({ event: { id: 'e', kind: 'cpu' } });
      expect(sync).toHaveBeenCalledTimes(4);
    } finally {
      sync.mockRestore();
    }
  });

  it('keeps appends in call order when they are not awaited one by one', async () => {
    const spool = await Spool.open(dir, options());
    await Promise.all(Array.from({ length: 20 }, (_, i) => spool.append(metrics(`c-${String(i).padStart(2, '0')}`))));
    expect(ids(spool)).toEqual(Array.from({ length: 20 }, (_, i) => `c-${String(i).padStart(2, '0')}`));
    const reopened = await Spool.open(dir, options());
    expect(ids(reopened)).toEqual(ids(spool));
  });
});
