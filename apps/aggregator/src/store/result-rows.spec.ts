import { groupSeries, mergeInstanceSummaries, mergeInstanceTotals, num, profileMeta } from './result-rows';

describe('result rows', () => {
  it('reads numbers whether the driver gives numbers, bigints or 64-bit decimal text', () => {
    expect([num(1.5), num(7n), num('9007199254740991')]).toEqual([1.5, 7, 9007199254740991]);
    expect(() => num(null)).toThrow(/expected a number, got object/);
  });

  it('lists every instance with profiles, largest value first, ties by name', () => {
    const totals = mergeInstanceTotals(
      's',
      [{ instance: 'b', value: '5' }],
      [
        { instance: 'c', profiles: 1 },
        { instance: 'a', profiles: 2 },
        { instance: 'b', profiles: 3 },
      ],
    );
    expect(totals).toEqual([
      { service: 's', instance: 'b', value: 5, profiles: 3 },
      { service: 's', instance: 'a', value: 0, profiles: 2 },
      { service: 's', instance: 'c', value: 0, profiles: 1 },
    ]);
  });

  it('groups bucket rows into one series per instance', () => {
    expect(
      groupSeries([
        { service: 's', instance: 'a', bucket: '0', value: 1 },
        { service: 's', instance: 'a', bucket: '60000', value: 2 },
        { service: 's', instance: 'b', bucket: '0', value: 3 },
      ]),
    ).toEqual([
      { service: 's', instance: 'a', points: [[0, 1], [60000, 2]] },
      { service: 's', instance: 'b', points: [[0, 3]] },
    ]);
  });

  it('joins the instance summaries and leaves state out when none was reported', () => {
    expect(mergeInstanceSummaries([{ service: 's', instance: 'a', last_seen: '10' }], [{ service: 's', instance: 'a', name: 'rss', value: 4 }], [])).toEqual([
      { service: 's', instance: 'a', lastSeenMs: 10, latestMetrics: { rss: 4 } },
    ]);
  });

  it('rebuilds each trigger kind from its columns', () => {
    const base = { id: 'p', service: 's', instance: 'i', label_keys: ['k'], label_values: ['v'], pid: '1', go_version: 'go', type: 'cpu', start_ms: '5', duration_ms: '0', sample_types: ['cpu'], sample_units: ['ns'] };
    const columns = (kind: string, name = '') => ({ ...base, trigger_kind: kind, trigger_name: name, trigger_value: 1, trigger_average: 2, trigger_threshold: 3, trigger_event_id: 'e' });
    expect(profileMeta(columns('baseline')).trigger).toEqual({ kind: 'baseline' });
    expect(profileMeta(columns('rule', 'cpu')).trigger).toEqual({ kind: 'rule', rule: 'cpu', value: 1, average: 2, threshold: 3, eventId: 'e' });
    expect(profileMeta(columns('analysis', 'deadlock')).trigger).toEqual({ kind: 'analysis', analysis: 'deadlock', eventId: 'e' });
    expect(profileMeta(columns('baseline')).labels).toEqual({ k: 'v' });
  });
});
