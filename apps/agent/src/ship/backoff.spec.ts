import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles the cap from initialMs up to maxMs (random at its top)', () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 30_000 }, () => 0.999_999);
    const delays = Array.from({ length: 10 }, () => backoff.next());
    expect(delays).toEqual([199, 399, 799, 1599, 3199, 6399, 12_799, 25_599, 29_999, 29_999]);
  });

  it('is full jitter: anywhere from 0 to the cap', () => {
    expect(new Backoff({ initialMs: 200, maxMs: 30_000 }, () => 0).next()).toBe(0);
    const halves = new Backoff({ initialMs: 200, maxMs: 30_000 }, () => 0.5);
    expect([halves.next(), halves.next(), halves.next()]).toEqual([100, 200, 400]);
  });

  it('stays within [0, cap) for any random source, however long the outage', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 5_000 });
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(5_000, 100 * 2 ** attempt));
    }
  });

  it('starts over after reset()', () => {
    const backoff = new Backoff({ initialMs: 200, maxMs: 30_000 }, () => 0.999_999);
    for (let i = 0; i < 6; i++) backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(199);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => new Backoff({ initialMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).toThrow(RangeError);
  });
});
