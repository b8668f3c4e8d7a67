import { buildFaultFixture, systemGo } from '@stackwatch/testing';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { tempTree, writeTree } from './__fixtures__/file-tree';
import { localAddressesOf, portOwnerResolver, resolveStaticTarget, resolveStaticTargets, StaticTargetError } from './static-targets';

const identity = { service: 'svc', hostName: 'node-a' };

describe('localAddressesOf', () => {
  it.each([
    ['localhost', ['127.0.0.1', '::1']],
    ['127.0.0.1', ['127.0.0.1']],
    ['127.1.2.3', ['127.1.2.3']],
    ['[::1]', ['::1']],
    ['192.0.2.10', undefined],
    ['example.com', undefined],
  ])('%s → %j', (host, addresses) => {
    expect(localAddressesOf(host)).toEqual(addresses);
  });
});

describe('resolveStaticTarget on the real /proc', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('finds the pid owning the port of a loopback URL (here: this test process, not Go)', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const target = await resolveStaticTarget(new URL(`http://${host}:${port}/`), { identity });
      expect(target).toMatchObject({ key: `http://${host}:${port}`, pid: process.pid, goVersion: undefined });
      expect(target.identity.service).toBe('svc');
    }
  });

  it('takes --pid as given', async () => {
    const target = await resolveStaticTarget(new URL(`http://127.0.0.1:${port}/`), { identity, pid: process.pid });
    expect(target.pid).toBe(process.pid);
  });

  it('keeps a target whose pid cannot be found (remote host, or nobody visible on the port)', async () => {
    const remote = await resolveStaticTarget(new URL('http://192.0.2.10:6060/'), { identity: { hostName: 'node-a' } });
    expect(remote).toMatchObject({ key: 'http://192.0.2.10:6060', pid: undefined, goVersion: undefined });
    expect(remote.identity).toEqual({ service: 'unknown', instance: 'node-a-192.0.2.10:6060', labels: {} });
    server.close();
    const gone = await resolveStaticTarget(new URL(`http://127.0.0.1:${port}/`), { identity });
    expect(gone.pid).toBeUndefined();
  });
});

describe('resolveStaticTargets', () => {
  it('refuses --pid unless there is exactly one --target', async () => {
    const urls = [new URL('http://192.0.2.1:1/'), new URL('http://192.0.2.2:1/')];
    await expect(resolveStaticTargets(urls, { identity, pid: 7 })).rejects.toThrow(StaticTargetError);
    await expect(resolveStaticTargets(urls, { identity, pid: 7 })).rejects.toThrow('--pid needs exactly one --target (got 2)');
  });

  it('refuses the same origin twice (it is the target key)', async () => {
    const urls = [new URL('http://192.0.2.1:1/a/'), new URL('http://192.0.2.1:1/b/')];
    await expect(resolveStaticTargets(urls, { identity })).rejects.toThrow('--target http://192.0.2.1:1 is given twice');
  });

  it('resolves every target', async () => {
    const targets = await resolveStaticTargets([new URL('http://192.0.2.1:1/'), new URL('http://192.0.2.2:1/')], { identity });
    expect(targets.map((t) => t.key)).toEqual(['http://192.0.2.1:1', 'http://192.0.2.2:1']);
  });
});

describe('portOwnerResolver in a fixture /proc', () => {
  const tree = tempTree('static-targets');
  afterAll(tree.cleanup);

  it('prefers the Go binary among the processes sharing a listener (a fork)', async () => {
    await writeTree(tree.root, {
      'self/net/tcp': readFileSync(join(__dirname, '__fixtures__', 'net-tcp'), 'utf8'), // 127.0.0.1:46437 → inode 163432
      '100/fd/3': { symlink: 'socket:[163432]' },
      '100/exe': { symlink: '/bin/ls' },
      '103/fd/4': { symlink: 'socket:[163432]' },
      '103/exe': { symlink: await buildFaultFixture(systemGo()) },
    });
    expect(await portOwnerResolver(new URL('http://127.0.0.1:46437/'), tree.root)()).toBe(103);
    expect(await portOwnerResolver(new URL('http://127.0.0.1:1/'), tree.root)()).toBeUndefined();
  }, 300_000);
});
