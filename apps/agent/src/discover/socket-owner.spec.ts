import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { tempTree, writeTree } from './__fixtures__/file-tree';
import { findPortOwners, findSocketOwners, listenerAccepts, listPids, socketInodesOf } from './socket-owner';

const netTcp = readFileSync(join(__dirname, '__fixtures__', 'net-tcp'), 'utf8');

describe('socket owners in a fixture /proc', () => {
  const tree = tempTree('socket-owner');
  beforeAll(() =>
    writeTree(tree.root, {
      'self/net/tcp': netTcp, // 127.0.0.1:46437 → 163432, 127.0.0.1:41965 → 163430, 0.0.0.0:2024 → 1594
      '100/fd/3': { symlink: 'socket:[163432]' },
      '100/fd/4': { symlink: '/dev/null' },
      '100/fd/5': { symlink: 'socket:[999]' },
      '101/fd/5': { symlink: 'socket:[163430]' },
      '102/fd': 'not a directory: stands for a pid whose fds we may not read',
      '103/fd/7': { symlink: 'socket:[163432]' }, // a forked child sharing the listener
      '104/stat': 'no fd directory at all: a process that exited meanwhile',
      'sys/kernel': 'not a pid',
    }),
  );
  afterAll(tree.cleanup);

  it('lists only the numeric entries as pids', async () => {
    expect((await listPids(tree.root)).sort()).toEqual([100, 101, 102, 103, 104]);
  });

  it('reads the socket inodes behind fd links', async () => {
    expect(await socketInodesOf(100, tree.root)).toEqual(new Set([163432, 999]));
    await expect(socketInodesOf(102, tree.root)).rejects.toThrow();
  });

  it('maps inodes to every pid holding them, skipping unreadable pids silently', async () => {
    const owners = await findSocketOwners(new Set([163430, 163432, 5]), tree.root);
    expect(Object.fromEntries(owners)).toEqual({ 163430: [101], 163432: [100, 103] });
  });

  it('finds the owners of a listening port, by address when asked', async () => {
    expect(await findPortOwners(46437, { procRoot: tree.root })).toEqual([100, 103]);
    expect(await findPortOwners(41965, { procRoot: tree.root, addresses: ['127.0.0.1'] })).toEqual([101]);
    expect(await findPortOwners(41965, { procRoot: tree.root, addresses: ['::1'] })).toEqual([]);
    expect(await findPortOwners(2024, { procRoot: tree.root })).toEqual([]); // nobody visible holds it
    expect(await findPortOwners(1, { procRoot: tree.root })).toEqual([]);
  });
});

describe('listenerAccepts', () => {
  const socket = (address: string) => ({ address, port: 1, inode: 1, family: address.includes(':') ? (6 as const) : (4 as const) });
  it.each([
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '10.0.0.1', false],
    ['0.0.0.0', '10.0.0.1', true],
    ['0.0.0.0', '::1', false],
    ['::', '127.0.0.1', true],
    ['::', '::1', true],
    ['::1', '127.0.0.1', false],
    ['::ffff:127.0.0.1', '127.0.0.1', true],
  ])('a listener on %s accepts %s: %s', (listening, wanted, accepts) => {
    expect(listenerAccepts(socket(listening), wanted)).toBe(accepts);
  });
});

describe('findPortOwners on the real /proc', () => {
  let server: Server;
  beforeAll(() => new Promise<void>((resolve) => (server = createServer().listen(0, '127.0.0.1', resolve))));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("finds this test process as the owner of its own listener", async () => {
    const { port } = server.address() as AddressInfo;
    expect(await findPortOwners(port, { addresses: ['127.0.0.1'] })).toEqual([process.pid]);
  });
});
