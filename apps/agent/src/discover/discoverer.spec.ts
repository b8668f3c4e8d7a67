import { buildFaultFixture, systemGo, waitFor } from '@stackwatch/testing';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { WatchedTarget } from '../target';
import { statLine, tempTree, writeTree, type TreeEntry } from './__fixtures__/file-tree';
import { Discoverer } from './discoverer';

const indexPage = readFileSync(join(__dirname, '..', 'sample', '__fixtures__', 'pprof-index-go1.26.html'), 'utf8');

/** A /proc/<pid>/net/tcp with LISTEN lines (little-endian hex, like the kernel prints here). */
function netTcp(listeners: readonly { address: string; port: number; inode: number }[]): string {
  const hexAddress = (a: string) => Buffer.from(a.split('.').map(Number).reverse()).toString('hex').toUpperCase();
  const lines = listeners.map(
    (l, i) =>
      `   ${i}: ${hexAddress(l.address)}:${l.port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${l.inode} 1 0000000000000000 100 0 0 10 0`,
  );
  return ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode', ...lines, ''].join('\n');
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('Discoverer over a fixture /proc', () => {
  const tree = tempTree('discoverer');
  const NS = { symlink: 'net:[4026531840]' };
  let goBinary: string;
  let pprof: { server: Server; port: number };
  let notPprof: { server: Server; port: number };
  let selfServer: { server: Server; port: number };
  const events: string[] = [];
  const added: WatchedTarget[] = [];
  const logs: string[] = [];
  /** Host headers of the requests our three servers received: what the discoverer probed. */
  const requests: string[] = [];
  type Handler = NonNullable<Parameters<typeof listen>[0]>;
  const recorded = (handler: Handler): Handler => (req, res) => {
    requests.push(req.headers.host ?? '');
    handler(req, res);
  };

  /** A Go process in our network namespace holding `listeners` (inode → its fd). */
  const goProcess = (pid: number, start: number, listeners: { address: string; port: number; inode: number }[], extra: Record<string, TreeEntry> = {}) => ({
    [`${pid}/stat`]: statLine(pid, 'faultsvc', { utime: 1, stime: 1, threads: 5, start }),
    [`${pid}/exe`]: { symlink: goBinary },
    [`${pid}/ns/net`]: NS,
    [`${pid}/net/tcp`]: netTcp(listeners),
    [`${pid}/environ`]: 'STACKWATCH_SERVICE=checkout\0',
    ...Object.fromEntries(listeners.map((l, i) => [`${pid}/fd/${i + 3}`, { symlink: `socket:[${l.inode}]` }])),
    ...extra,
  });

  const discoverer = (intervalMs = 60_000, env: { name: string; value?: string }[] = []) =>
    new Discoverer(
      {
        onAdded: (t) => {
          events.push(`+${t.key} pid ${t.pid}`);
          added.push(t);
        },
        onRemoved: (key) => events.push(`-${key}`),
      },
      { identity: { hostName: 'node-a', labels: [['zone', 'a']] }, procRoot: tree.root, selfPid: 305, intervalMs, probeTimeoutMs: 500, log: (l) => logs.push(l), env },
    );

  beforeAll(async () => {
    goBinary = await buildFaultFixture(systemGo());
    pprof = await listen(recorded((req, res) => (req.url === '/debug/pprof/' ? res.end(indexPage) : res.writeHead(404).end())));
    notPprof = await listen(recorded((_req, res) => res.writeHead(404).end('404 page not found')));
    selfServer = await listen(recorded((_req, res) => res.end(indexPage)));
  }, 300_000);

  beforeEach(async () => {
    await fs.rm(tree.root, { recursive: true, force: true });
    events.length = 0;
    added.length = 0;
    logs.length = 0;
    requests.length = 0;
    await writeTree(tree.root, {
      'self/ns/net': NS,
      // Go, ours: a 0.0.0.0 listener serving pprof, a 404 listener and one on an address not on this machine.
      ...goProcess(300, 1000, [
        { address: '0.0.0.0', port: pprof.port, inode: 5001 },
        { address: '127.0.0.1', port: notPprof.port, inode: 5002 },
        { address: '192.0.2.10', port: 6060, inode: 5003 },
      ]),
      // Not Go.
      '301/stat': statLine(301, 'ls', { utime: 0, stime: 0, threads: 1, start: 1001 }),
      '301/exe': { symlink: '/bin/ls' },
      // Go in another network namespace: its 127.0.0.1 is not ours.
      ...goProcess(302, 1002, [{ address: '127.0.0.1', port: pprof.port, inode: 5001 }], { '302/ns/net': { symlink: 'net:[99]' } }),
      // Go, but the pprof socket in its namespace's table is not one of its fds.
      ...goProcess(303, 1003, [{ address: '127.0.0.1', port: pprof.port, inode: 5001 }], { '303/fd/3': { symlink: 'socket:[777]' } }),
      // The agent itself.
      ...goProcess(305, 1005, [{ address: '127.0.0.1', port: selfServer.port, inode: 5005 }]),
    });
  });

  afterAll(async () => {
    await Promise.all([pprof, notPprof, selfServer].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    tree.cleanup();
  });

  const probedHosts = () => [...requests];

  it('adds Go processes of our network namespace serving pprof on a socket they own, skipping itself', async () => {
    const d = discoverer();
    await d.scanOnce();
    expect(events).toEqual([`+http://127.0.0.1:${pprof.port} pid 300`]);
    expect(added[0]).toMatchObject({
      url: new URL(`http://127.0.0.1:${pprof.port}/`),
      goVersion: systemGo().version,
      identity: { service: 'checkout', instance: 'node-a-300', labels: { zone: 'a' } },
    });
    expect(d.targets().map((t) => t.pid)).toEqual([300]);
    expect(logs.join('\n')).toMatch(/pid 302 .*another network namespace/);
    expect(probedHosts().sort()).toEqual([`127.0.0.1:${notPprof.port}`, `127.0.0.1:${pprof.port}`].sort());
  });

  it('with --discover-env, watches only processes whose environment matches, and never probes the rest', async () => {
    await writeTree(tree.root, { '300/environ': 'STACKWATCH_SERVICE=checkout\0TEAM=payments\0' });
    const other = discoverer(60_000, [{ name: 'TEAM', value: 'search' }]);
    await other.scanOnce();
    expect(events).toEqual([]);
    expect(probedHosts()).toEqual([]);

    const matching = discoverer(60_000, [{ name: 'STACKWATCH_SERVICE' }, { name: 'TEAM', value: 'payments' }]);
    await matching.scanOnce();
    expect(events).toEqual([`+http://127.0.0.1:${pprof.port} pid 300`]);

    await fs.rm(join(tree.root, '300', 'environ'));
    events.length = 0;
    const unreadable = discoverer(60_000, [{ name: 'TEAM' }]);
    await unreadable.scanOnce();
    expect(events).toEqual([]);
    expect(logs.join('\n')).toMatch(/pid 300 .*environment unreadable, cannot match --discover-env: not watched/);
  });

  it('reaches a process in another network namespace (a pod, from a node agent) through its own address, not through loopback', async () => {
    const podAddress = Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .find((i) => i.family === 'IPv4' && !i.internal)?.address;
    if (podAddress === undefined) throw new Error('this test needs a non-loopback IPv4 interface to play the pod address');
    // The "pod" serves pprof on all its addresses; the agent reaches it on the pod address only.
    const pod = createServer(recorded((req, res) => (req.url === '/debug/pprof/' ? res.end(indexPage) : res.writeHead(404).end())));
    await new Promise<void>((resolve) => pod.listen(0, '0.0.0.0', resolve));
    const podPort = (pod.address() as AddressInfo).port;
    const fibTrie = `Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- ${podAddress}\n        /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\n`;
    try {
      await writeTree(tree.root, {
        ...goProcess(306, 1006, [{ address: '0.0.0.0', port: podPort, inode: 6006 }], { '306/ns/net': { symlink: 'net:[77]' }, '306/net/fib_trie': fibTrie }),
        ...goProcess(307, 1007, [{ address: '127.0.0.1', port: pprof.port, inode: 6007 }], { '307/ns/net': { symlink: 'net:[78]' }, '307/net/fib_trie': fibTrie }),
      });
      const d = discoverer();
      await d.scanOnce();
      expect(d.targets().map((t) => [t.pid, t.url.href])).toEqual(
        expect.arrayContaining([[306, `http://${podAddress}:${podPort}/`]]),
      );
      expect(d.targets().some((t) => t.pid === 307)).toBe(false);
      expect(logs.join('\n')).toMatch(/pid 307 listens only on loopback in its own network namespace: not reachable from here/);
    } finally {
      await new Promise((resolve) => pod.close(resolve));
    }
  });

  it('never probes again a port that answered something else, nor a known target', async () => {
    const d = discoverer();
    await d.scanOnce();
    await d.scanOnce();
    await d.scanOnce();
    expect(events).toHaveLength(1);
    expect(probedHosts()).toHaveLength(2);
  });

  it('removes a target whose listener closed, and adds it back when it listens again', async () => {
    const d = discoverer();
    await d.scanOnce();
    await writeTree(tree.root, { '300/net/tcp': netTcp([{ address: '127.0.0.1', port: notPprof.port, inode: 5002 }]) });
    await d.scanOnce();
    await writeTree(tree.root, { '300/net/tcp': netTcp([{ address: '0.0.0.0', port: pprof.port, inode: 5001 }]) });
    await d.scanOnce();
    const key = `http://127.0.0.1:${pprof.port}`;
    expect(events).toEqual([`+${key} pid 300`, `-${key}`, `+${key} pid 300`]);
  });

  it('reports an exited process as removed', async () => {
    const d = discoverer();
    await d.scanOnce();
    await fs.rm(join(tree.root, '300'), { recursive: true });
    await d.scanOnce();
    expect(events).toEqual([`+http://127.0.0.1:${pprof.port} pid 300`, `-http://127.0.0.1:${pprof.port}`]);
    expect(d.targets()).toEqual([]);
  });

  it('sees a reused pid (other start time) and a restart on the same URL as remove, then add', async () => {
    const d = discoverer();
    await d.scanOnce();
    const key = `http://127.0.0.1:${pprof.port}`;
    await writeTree(tree.root, { '300/stat': statLine(300, 'faultsvc', { utime: 0, stime: 0, threads: 5, start: 5000 }) });
    await d.scanOnce();
    await fs.rm(join(tree.root, '300'), { recursive: true });
    await writeTree(tree.root, goProcess(306, 6000, [{ address: '127.0.0.1', port: pprof.port, inode: 6001 }]));
    await d.scanOnce();
    expect(events).toEqual([`+${key} pid 300`, `-${key}`, `+${key} pid 300`, `-${key}`, `+${key} pid 306`]);
  });

  it('runs on its own timer and notices new processes within a few intervals', async () => {
    await fs.rm(join(tree.root, '300'), { recursive: true });
    const d = discoverer(50);
    d.start();
    try {
      await waitFor('a scan', () => requests.length === 0 && logs.length > 0);
      await writeTree(tree.root, goProcess(307, 7000, [{ address: '127.0.0.1', port: pprof.port, inode: 7001 }]));
      await waitFor('the new process', () => events.length > 0, { timeoutMs: 5_000 });
    } finally {
      await d.stop();
    }
    expect(events).toEqual([`+http://127.0.0.1:${pprof.port} pid 307`]);
  });

  it('survives a listener that throws', async () => {
    const d = new Discoverer(
      {
        onAdded: () => {
          throw new Error('boom');
        },
        onRemoved: () => undefined,
      },
      { identity: {}, procRoot: tree.root, selfPid: 305, log: (l) => logs.push(l) },
    );
    await expect(d.scanOnce()).resolves.toBeUndefined();
    expect(logs).toContain('discover: listener failed: boom');
  });
});
