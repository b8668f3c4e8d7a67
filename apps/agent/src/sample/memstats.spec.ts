import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KeepAliveGet } from '../keep-alive-get';
import { gcHeapPercent, nextGcUrl, parseMemStats, parsePrometheusNextGc, readNextGc, type NextGcSource } from './memstats';
import { TargetUnavailableError } from './target-unavailable-error';

// heap?debug=1 captured from faultsvc fixtures (Go 1.19 and 1.26) after a 64 MiB allocation.
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

const PROMETHEUS = `# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes 1.0567680e+06
# HELP go_memstats_next_gc_bytes Number of heap bytes when next garbage collection will take place.
# TYPE go_memstats_next_gc_bytes gauge
go_memstats_next_gc_bytes 1.34804906e+08
`;

describe('parseMemStats', () => {
  it.each([
    ['go1.19', { NextGC: 134868968, HeapInuse: 68050944, NumGC: 1 }],
    ['go1.26', { NextGC: 134804906, HeapInuse: 68091904, NumGC: 1 }],
  ])('reads the # runtime.MemStats block of a real %s heap?debug=1', (version, expected) => {
    const fields = parseMemStats(fixture(`heap-debug1-${version}.txt`));
    expect({ NextGC: fields.get('NextGC'), HeapInuse: fields.get('HeapInuse'), NumGC: fields.get('NumGC') }).toEqual(expected);
    expect(fields.get('Stack')).toBeGreaterThan(0); // "# Stack = inuse / sys": the first number
    expect(fields.has('DebugGC')).toBe(false);
    expect(fields.has('PauseNs')).toBe(false);
  });

  it('ignores "# name = value" lines before the block (profile records) and returns nothing without it', () => {
    expect(parseMemStats('# NextGC = 5\nheap profile: 0: 0 [0: 0] @ heap/1048576\n').size).toBe(0);
  });
});

describe('parsePrometheusNextGc', () => {
  it('reads go_memstats_next_gc_bytes, exponent form included', () => {
    expect(parsePrometheusNextGc(PROMETHEUS)).toBe(134804906);
    expect(parsePrometheusNextGc('go_memstats_next_gc_bytes{job="x"} 4194304 1700000000000\n')).toBe(4194304);
    expect(parsePrometheusNextGc('go_memstats_next_gc_bytes_total 1\n')).toBeUndefined();
    expect(parsePrometheusNextGc('# nothing\n')).toBeUndefined();
  });
});

describe('gcHeapPercent', () => {
  it('is half of NextGC over the limit (Holmes)', () => {
    expect(gcHeapPercent(200 * 1024 ** 2, 1024 ** 3)).toBeCloseTo(9.765625);
  });
});

describe('readNextGc', () => {
  let server: Server;
  let base: URL;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/debug/pprof/heap?debug=1') res.end(fixture('heap-debug1-go1.26.txt'));
      else if (req.url === '/metrics') res.end(PROMETHEUS);
      else if (req.url === '/empty-metrics') res.end('up 1\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('from heap?debug=1 or from a Prometheus page', async () => {
    expect(await readNextGc({ kind: 'heap', base }, 1_000, 'k')).toBe(134804906);
    expect(await readNextGc({ kind: 'metrics', url: new URL('/metrics', base) }, 1_000, 'k')).toBe(134804906);
  });

  it('through a kept connection to the same page', async () => {
    for (const source of [{ kind: 'heap', base }, { kind: 'metrics', url: new URL('/metrics', base) }] satisfies NextGcSource[]) {
      const via = new KeepAliveGet(nextGcUrl(source), { maxBytes: 1 << 20 });
      try {
        expect(await readNextGc(source, 1_000, 'k', via)).toBe(134804906);
        expect(await readNextGc(source, 1_000, 'k', via)).toBe(134804906);
      } finally {
        via.close();
      }
    }
  });

  it('rejects with TargetUnavailableError when the value is missing', async () => {
    await expect(readNextGc({ kind: 'metrics', url: new URL('/empty-metrics', base) }, 1_000, 'k')).rejects.toThrow(TargetUnavailableError);
    await expect(readNextGc({ kind: 'heap', base: new URL('/nowhere/', base) }, 1_000, 'k')).rejects.toThrow('k: GET /nowhere/debug/pprof/heap: HTTP 404');
  });
});
