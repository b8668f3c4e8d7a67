import { formatHash, parseHash, withParams } from './view-state';
import { fromLocalInput, formatValue, resolveTime } from './time-range';
import { outlierInstances } from './outliers';

describe('view state in the URL', () => {
  it('round-trips a view with its parameters, dropping unknown keys', () => {
    const state = parseHash('#/flame?service=shop&profile=p%201&focus=%5B%22main.main%22%5D&evil=1');
    expect(state).toEqual({ view: 'flame', params: { from: 'now-1h', to: 'now', service: 'shop', profile: 'p 1', focus: '["main.main"]' } });
    expect(parseHash(formatHash(state))).toEqual(state);
  });

  it('falls back to the overview of the last hour', () => {
    expect(parseHash('')).toEqual({ view: 'overview', params: { from: 'now-1h', to: 'now' } });
    expect(parseHash('#/nowhere?service=a').view).toBe('overview');
  });

  it('changes and removes parameters', () => {
    const state = withParams(parseHash('#/events?service=a&kind=cpu'), { kind: undefined, instance: 'i-1' }, 'flame');
    expect(formatHash(state)).toBe('#/flame?service=a&instance=i-1&from=now-1h&to=now');
  });
});

describe('time and values', () => {
  it('resolves the API time forms', () => {
    expect(resolveTime('now', 1_000_000)).toBe(1_000_000);
    expect(resolveTime('now-15m', 1_000_000)).toBe(100_000);
    expect(resolveTime('1795780800000', 0)).toBe(1795780800000);
    expect(resolveTime('2026-11-27T12:00:00Z', 0)).toBe(Date.parse('2026-11-27T12:00:00Z'));
    expect(resolveTime('garbage', 0)).toBeNaN();
    expect(fromLocalInput('')).toBeUndefined();
  });

  it('formats values in their unit', () => {
    expect(formatValue(5_690_000_000, 'nanoseconds')).toBe('5.69 s');
    expect(formatValue(1_073_741_824, 'bytes')).toBe('1.0 GiB');
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(42, 'count')).toBe('42');
  });
});

describe('instances that stand out', () => {
  it('flags the one far from its peers, nobody in a flat fleet, nobody with fewer than three', () => {
    expect(outlierInstances(new Map([['a', 5], ['b', 6], ['c', 5.5], ['d', 97]]))).toEqual(new Set(['d']));
    expect(outlierInstances(new Map([['a', 5], ['b', 5.2], ['c', 5.1]]))).toEqual(new Set());
    expect(outlierInstances(new Map([['a', 5], ['b', 97]]))).toEqual(new Set());
  });
});
