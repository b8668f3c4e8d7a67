import { readFileSync } from 'node:fs';
import { parseFibTrieLocalAddresses } from './namespace-addresses';

describe('parseFibTrieLocalAddresses', () => {
  it('reads the /32 host LOCAL addresses, loopback left out, each once', () => {
    const text = [
      'Main:',
      '  +-- 0.0.0.0/0 3 0 5',
      '     |-- 0.0.0.0',
      '        /0 universe UNICAST',
      '     +-- 10.244.1.0/24 2 0 2',
      '        |-- 10.244.1.0',
      '           /24 link UNICAST',
      '        |-- 10.244.1.17',
      '           /32 host LOCAL',
      '        |-- 10.244.1.255',
      '           /32 link BROADCAST',
      '     +-- 127.0.0.0/8 2 0 2',
      '           |-- 127.0.0.1',
      '              /32 host LOCAL',
      'Local:',
      '        |-- 10.244.1.17',
      '           /32 host LOCAL',
    ].join('\n');
    expect(parseFibTrieLocalAddresses(text)).toEqual(['10.244.1.17']);
  });

  it('reads this machine’s own table', () => {
    const addresses = parseFibTrieLocalAddresses(readFileSync('/proc/self/net/fib_trie', 'utf8'));
    expect(addresses.every((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith('127.'))).toBe(true);
  });
});
