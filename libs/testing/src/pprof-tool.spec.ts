import { exactUnitFlag, parseExactValue, parsePprofRaw, parsePprofTop, parsePprofTraces } from './pprof-tool';

// Excerpts of real go tool pprof (Go 1.26) output, trimmed.
const TOP = `File: scratch
Type: cpu
Duration: 1.50s, Total samples = 1780000000ns (118.65%)
Showing nodes accounting for 1780000000ns, 100% of 1780000000ns total
      flat  flat%   sum%        cum   cum%
1490000000ns 83.71% 83.71% 1490000000ns 83.71%  main.leaf
10000000ns  0.56% 96.07% 10000000ns  0.56%  runtime.add (inline)
         0     0%   100% 90000000ns  5.06%  internal/sync.(*Mutex).Lock (partial-inline)
         0     0%   100% 90000000ns  5.06%  type:.eq.[2]interface {}
`;

const TRACES = `File: scratch
Type: alloc_space
-----------+-------------------------------------------------------
     bytes:  2.62kB
     1024B   main.leaf
             main.inl (inline)
             main.main
-----------+-------------------------------------------------------
         0   runtime.main
-----------+-------------------------------------------------------
`;

const RAW = `PeriodType: space bytes
Period: 524288
Time: 2026-11-26 23:14:12.84703966 +0000 UTC
Samples:
alloc_objects/count alloc_space/bytes[dflt]
          3       1024: 1 2 
                bytes:[512]
          0         -7: 
Locations
     1: 0x4db8da M=1 main.inl /tmp/main.go:17:0 s=17
             main.rec /tmp/main.go:19:0 s=19
     2: 0x4a1b2c M=1 
Mappings
1: 0x400000/0x4dc000/0x0 /tmp/scratch
`;

describe('go tool pprof output parsers', () => {
  it('parse -top rows, dropping inline labels and keeping names with spaces', () => {
    expect(parsePprofTop(TOP)).toEqual({
      type: 'cpu',
      total: 1780000000n,
      rows: [
        { function: 'main.leaf', flat: 1490000000n, cum: 1490000000n },
        { function: 'runtime.add', flat: 10000000n, cum: 10000000n },
        { function: 'internal/sync.(*Mutex).Lock', flat: 0n, cum: 90000000n },
        { function: 'type:.eq.[2]interface {}', flat: 0n, cum: 90000000n },
      ],
    });
  });

  it('parse -traces root-first, skipping label lines', () => {
    expect(parsePprofTraces(TRACES)).toEqual([
      { value: 1024n, frames: ['main.main', 'main.inl', 'main.leaf'] },
      { value: 0n, frames: ['runtime.main'] },
    ]);
  });

  it('parse -raw header, samples and locations', () => {
    const raw = parsePprofRaw(RAW);
    expect(raw).toMatchObject({
      periodType: { type: 'space', unit: 'bytes' },
      period: 524288n,
      defaultSampleType: 'alloc_space',
      sampleTypes: [{ type: 'alloc_objects', unit: 'count' }, { type: 'alloc_space', unit: 'bytes' }],
      samples: [
        { values: [3n, 1024n], locationIds: [1, 2] },
        { values: [0n, -7n], locationIds: [] },
      ],
    });
    expect([...raw.locations.values()]).toEqual([
      { id: 1, address: 0x4db8dan, lines: ['main.inl', 'main.rec'] },
      { id: 2, address: 0x4a1b2cn, lines: [] },
    ]);
  });

  it('refuse values that are not exact integers', () => {
    expect(parseExactValue('1529B')).toBe(1529n);
    expect(() => parseExactValue('1.50ms')).toThrow('not an exact integer');
    expect(exactUnitFlag('nanoseconds')).toBe('ns');
    expect(exactUnitFlag('bytes')).toBe('B');
    expect(exactUnitFlag('count')).toBe('count');
  });
});
