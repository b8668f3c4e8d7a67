import { createHash } from 'node:crypto';
import { stackHash } from './stack-hash';

describe('stackHash', () => {
  it('is 16 hex characters of SHA-256 over length-prefixed frames', () => {
    const expected = createHash('sha256')
      .update(Buffer.from([0, 0, 0, 4]))
      .update('main')
      .update(Buffer.from([0, 0, 0, 2]))
      .update('é')
      .digest('hex')
      .slice(0, 16);
    expect(stackHash(['main', 'é'])).toBe(expected);
    expect(stackHash(['main', 'é'])).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is stable across releases (the aggregator stores it)', () => {
    // printf '\x00\x00\x00\x0cruntime.main\x00\x00\x00\x09main.main' | sha256sum | cut -c1-16
    expect(stackHash(['runtime.main', 'main.main'])).toBe('257dce031edd27fe');
  });

  it('tells apart sequences that a separator would confuse', () => {
    const hashes = [[], [''], ['', ''], ['a;b'], ['a', 'b'], ['b', 'a'], ['ab'], ['a', 'b', '']].map(stackHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
