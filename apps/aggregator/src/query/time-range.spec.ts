import { formatSpan, parseTimeParameter, resolveTimeRange, retentionWindow, toRfc3339 } from './time-range';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0); // 2026-11-27T12:00:00Z
const DAY = 86_400_000;
const rules = { nowMs: NOW, maxRangeMs: 31 * DAY };

describe('parseTimeParameter', () => {
  it.each([
    ['2026-11-26T23:23:32Z', Date.UTC(2026, 10, 26, 23, 23, 32)],
    ['2026-11-26t23:23:32z', Date.UTC(2026, 10, 26, 23, 23, 32)],
    ['2026-11-26 23:23:32Z', Date.UTC(2026, 10, 26, 23, 23, 32)],
    ['2026-11-26T23:23:32.5Z', Date.UTC(2026, 10, 26, 23, 23, 32, 500)],
    ['2026-11-26T23:23:32.123456789Z', Date.UTC(2026, 10, 26, 23, 23, 32, 123)],
    ['2026-11-26T23:23:32+01:00', Date.UTC(2026, 10, 26, 22, 23, 32)],
    ['2026-11-26T23:23:32-05:30', Date.UTC(2026, 10, 27, 4, 53, 32)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    // RFC 3339 leap second: carried into the next minute.
    ['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1)],
  ])('reads RFC 3339 %s', (text, expected) => {
    expect(parseTimeParameter('from', text, NOW)).toBe(expected);
  });

  it('reads unix milliseconds, now and now-<n><unit>', () => {
    expect(parseTimeParameter('from', '1795735412000', NOW)).toBe(1795735412000);
    expect(parseTimeParameter('from', '0', NOW)).toBe(0);
    expect(parseTimeParameter('from', 'now', NOW)).toBe(NOW);
    expect(parseTimeParameter('from', ' now ', NOW)).toBe(NOW);
    expect(parseTimeParameter('from', 'now-0s', NOW)).toBe(NOW);
    expect(parseTimeParameter('from', 'now-30s', NOW)).toBe(NOW - 30_000);
    expect(parseTimeParameter('from', 'now-15m', NOW)).toBe(NOW - 900_000);
    expect(parseTimeParameter('from', 'now-2h', NOW)).toBe(NOW - 7_200_000);
    expect(parseTimeParameter('from', 'now-7d', NOW)).toBe(NOW - 7 * DAY);
  });

  it.each([
    '',
    'yesterday',
    'now-',
    'now-15',
    'now-15w',
    'now+15m',
    'now-1.5h',
    'now - 15m',
    '-1000',
    '1.5',
    '1e12',
    '2026-11-26',
    '2026-11-26T23:23:32',
    '2026-11-26T23:23Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-11-26T24:00:00Z',
    '2026-11-26T23:60:00Z',
    '2026-11-26T23:00:61Z',
    '2026-11-26T23:00:00+24:00',
    '2026-11-26T23:00:00+0100',
  ])('refuses %j naming the parameter and the accepted forms', (text) => {
    expect(() => parseTimeParameter('baseFrom', text, NOW)).toThrow(/^parameter "baseFrom": expected RFC 3339 .*unix milliseconds, now, or now-15m/);
  });

  it('refuses times outside what Date can hold', () => {
    expect(() => parseTimeParameter('to', '9999999999999999', NOW)).toThrow('parameter "to": "9999999999999999" is outside the representable time range');
    expect(() => parseTimeParameter('from', 'now-999999999d', NOW)).toThrow('outside the representable time range');
  });

  it('errors are 400s', () => {
    try {
      parseTimeParameter('from', 'x', NOW);
      throw new Error('did not throw');
    } catch (err) {
      expect((err as { getStatus(): number }).getStatus()).toBe(400);
    }
  });
});

describe('resolveTimeRange', () => {
  it('defaults to the hour before now', () => {
    expect(resolveTimeRange(undefined, undefined, rules)).toEqual({ fromMs: NOW - 3_600_000, toMs: NOW });
  });

  it('defaults to to=now with only from, and to the hour before to with only to', () => {
    expect(resolveTimeRange('now-3h', undefined, rules)).toEqual({ fromMs: NOW - 3 * 3_600_000, toMs: NOW });
    expect(resolveTimeRange(undefined, 'now-1d', rules)).toEqual({ fromMs: NOW - DAY - 3_600_000, toMs: NOW - DAY });
  });

  it('requires from before to', () => {
    expect(() => resolveTimeRange('now', 'now', rules)).toThrow(/^parameter "from": must be before to \(2026-11-27T12:00:00.000Z ≥ 2026-11-27T12:00:00.000Z\)$/);
    expect(() => resolveTimeRange('now', 'now-1m', rules)).toThrow('parameter "from": must be before to');
    expect(resolveTimeRange(String(NOW - 1), 'now', rules)).toEqual({ fromMs: NOW - 1, toMs: NOW });
  });

  it('accepts a range of exactly the retention and refuses one a millisecond longer', () => {
    expect(resolveTimeRange('now-31d', 'now', rules)).toEqual({ fromMs: NOW - 31 * DAY, toMs: NOW });
    expect(() => resolveTimeRange(String(NOW - 31 * DAY - 1), 'now', rules)).toThrow(
      'parameter "from": the range from–to spans 31d1ms, more than the 31d kept',
    );
    expect(() => resolveTimeRange('now-2h', 'now', { ...rules, maxRangeMs: 3_600_000 })).toThrow('spans 2h, more than the 1h kept');
  });

  it('names the parameters of a second range', () => {
    expect(() => resolveTimeRange('x', undefined, { ...rules, names: { from: 'baseFrom', to: 'baseTo' } })).toThrow(/^parameter "baseFrom"/);
    expect(() => resolveTimeRange(undefined, 'x', { ...rules, names: { from: 'baseFrom', to: 'baseTo' } })).toThrow(/^parameter "baseTo"/);
    expect(() => resolveTimeRange('now', 'now-1h', { ...rules, names: { from: 'baseFrom', to: 'baseTo' } })).toThrow(
      'parameter "baseFrom": must be before baseTo',
    );
  });

  it('never starts before the epoch', () => {
    expect(resolveTimeRange(undefined, '1000', rules)).toEqual({ fromMs: 0, toMs: 1000 });
  });
});

describe('helpers', () => {
  it('formatSpan renders spans for messages', () => {
    expect(formatSpan(0)).toBe('0ms');
    expect(formatSpan(1500)).toBe('1s500ms');
    expect(formatSpan(3_600_000)).toBe('1h');
    expect(formatSpan(90_061_000)).toBe('1d1h1m1s');
  });

  it('retentionWindow covers the retention and an hour of clock skew', () => {
    expect(retentionWindow(NOW, 7 * DAY)).toEqual({ fromMs: NOW - 7 * DAY, toMs: NOW + 3_600_000 });
  });

  it('toRfc3339 renders UTC with milliseconds', () => {
    expect(toRfc3339(Date.UTC(2026, 10, 26, 23, 23, 32, 5))).toBe('2026-11-26T23:23:32.005Z');
  });
});
