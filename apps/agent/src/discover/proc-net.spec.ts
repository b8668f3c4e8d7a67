import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree, writeTree } from './__fixtures__/file-tree';
import { formatIPv6, parseProcNetTcp, readListeningSockets } from './proc-net';

// Captured on this machine (little-endian): Go 1.19 and 1.26 fixtures on 127.0.0.1, other listeners,
// and TIME_WAIT lines; tcp6 from fixtures listening on ":0" and "[::1]:0".
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

describe('parseProcNetTcp', () => {
  it('keeps the LISTEN sockets of a real /proc/<pid>/net/tcp, with address, port and inode', () => {
    expect(parseProcNetTcp(fixture('net-tcp'), 4, 'LE')).toEqual([
      { address: '127.0.0.1', port: 41965, inode: 163430, family: 4 },
      { address: '0.0.0.0', port: 2024, inode: 1594, family: 4 },
      { address: '127.0.0.1', port: 46437, inode: 163432, family: 4 },
    ]);
  });

  it('decodes a real tcp6: loopback and the dual-stack wildcard', () => {
    expect(parseProcNetTcp(fixture('net-tcp6'), 6, 'LE')).toEqual([
      { address: '::1', port: 37717, inode: 163721, family: 6 },
      { address: '::', port: 44863, inode: 163719, family: 6 },
    ]);
  });

  it('reads each 32-bit word in host byte order', () => {
    const line = (addr: string) => `   0: ${addr}:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0`;
    expect(parseProcNetTcp(line('7F000001'), 4, 'BE')[0].address).toBe('127.0.0.1');
    expect(parseProcNetTcp(line('0100007F'), 4, 'LE')[0]).toEqual({ address: '127.0.0.1', port: 8080, inode: 77, family: 4 });
    expect(parseProcNetTcp(line('0000000000000000FFFF00000A00000A'), 6, 'LE')[0].address).toBe('::ffff:10.0.0.10');
    expect(parseProcNetTcp(line('B80D0120000000000000000001000000'), 6, 'LE')[0].address).toBe('2001:db8::1');
  });

  it('skips headers, other states, malformed lines and inode 0', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 0100007F:B565 01 00000000:00000000 00:00000000 00000000     0        0 5 1 0', // ESTABLISHED
      '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0 1 0', // no inode
      '   2: XYZ:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0',
      '   3: 0100007F 00000000:0000 0A',
      '',
    ].join('\n');
    expect(parseProcNetTcp(text, 4, 'LE')).toEqual([]);
  });
});

describe('formatIPv6', () => {
  const bytes = (...groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);
  it.each([
    [bytes(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    [bytes(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    [bytes(0xfe80, 0, 0, 0, 0, 0, 1, 2), 'fe80::1:2'],
    [bytes(1, 0, 0, 1, 0, 0, 0, 1), '1:0:0:1::1'],
    [bytes(1, 0, 1, 1, 1, 1, 1, 1), '1:0:1:1:1:1:1:1'],
  ])('%j → %s', (input, text) => {
    expect(formatIPv6(input)).toBe(text);
  });
});

describe('readListeningSockets', () => {
  const tree = tempTree('proc-net');
  afterAll(tree.cleanup);

  it("reads both files of a pid's network namespace; a missing tcp6 is empty", async () => {
    await writeTree(tree.root, { '42/net/tcp': fixture('net-tcp'), '43/net/tcp': fixture('net-tcp'), '43/net/tcp6': fixture('net-tcp6') });
    expect(await readListeningSockets(42, tree.root)).toHaveLength(3);
    expect((await readListeningSockets(43, tree.root)).map((s) => `${s.address}/${s.port}`)).toEqual([
      '127.0.0.1/41965',
      '0.0.0.0/2024',
      '127.0.0.1/46437',
      '::1/37717',
      '::/44863',
    ]);
  });

  it('rejects when the process is gone', async () => {
    await expect(readListeningSockets(99, tree.root)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
