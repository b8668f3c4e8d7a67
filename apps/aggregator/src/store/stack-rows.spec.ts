import type { IngestBatch } from './profile-store';
import { stackRows } from './stack-rows';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 26, 10);
const A = 'aaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbb';
const sample = (stackHash: string, timeMs: number, service = 's') => ({ service, instance: 'i', profileId: 'p', profileType: 'cpu', sampleType: 'cpu', timeMs, stackHash, value: 1 });

describe('stackRows', () => {
  it('writes a stack on each day its samples fall on, once per (day, service, hash)', () => {
    const batches: IngestBatch[] = [
      { messageId: 'm1', timeMs: T0, stacks: [{ service: 's', hash: A, frames: ['a'] }], samples: [sample(A, T0), sample(A, T0 + DAY), sample(A, T0)] },
      { messageId: 'm2', timeMs: T0, stacks: [{ service: 's', hash: A, frames: ['a'] }, { service: 's', hash: A, frames: ['a'] }], samples: [sample(A, T0)] },
    ];
    expect(stackRows(batches).map((r) => r.key)).toEqual([`2026-11-26|s|${A}`, `2026-11-27|s|${A}`]);
  });

  it("puts a stack no sample references on the batch's day, and keeps services apart", () => {
    const rows = stackRows([
      { messageId: 'm', timeMs: T0 - DAY, stacks: [{ service: 's', hash: B, frames: ['b'] }, { service: 't', hash: A, frames: ['a'] }], samples: [sample(A, T0, 't')] },
    ]);
    expect(rows.map((r) => [r.day, r.service, r.hash, r.frames])).toEqual([
      ['2026-11-25', 's', B, ['b']],
      ['2026-11-26', 't', A, ['a']],
    ]);
  });
});
