import { RecentKeys } from './recent-keys';

describe('RecentKeys', () => {
  it('remembers keys up to its capacity, dropping the least recently used', () => {
    const keys = new RecentKeys(2);
    keys.add('a');
    keys.add('b');
    expect(keys.has('a')).toBe(true); // a is now the most recent
    keys.add('c'); // evicts b
    expect(keys.has('b')).toBe(false);
    expect(keys.has('a')).toBe(true);
    expect(keys.has('c')).toBe(true);
    expect(keys.size).toBe(2);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentKeys(0)).toThrow(/positive integer, got 0/);
  });
});
