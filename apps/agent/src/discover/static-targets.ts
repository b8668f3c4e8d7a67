import { hostname, networkInterfaces } from 'node:os';
import type { WatchedTarget } from '../target';
import { readGoBuildInfoOfPid } from './go-buildinfo';
import { resolveIdentity, type IdentityOptions } from './process-info';
import { findPortOwners } from './socket-owner';

export interface StaticTargetOptions {
  /** --pid: only meaningful with exactly one --target. */
  readonly pid?: number;
  readonly identity: IdentityOptions;
  readonly procRoot?: string;
}

export class StaticTargetError extends Error {
  override name = 'StaticTargetError';
}

const LOOPBACK = ['127.0.0.1', '::1'];

/**
 * Addresses a URL host stands for when it names this machine, for matching local listeners; undefined
 * when it is not local (then no /proc lookup is attempted: the socket would be on another host).
 */
export function localAddressesOf(host: string): readonly string[] | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return LOOPBACK;
  if (/^127\.\d+\.\d+\.\d+$/.test(bare) || bare === '::1') return [bare];
  if (bare === hostname().toLowerCase()) return [...LOOPBACK, ...interfaceAddresses()];
  return interfaceAddresses().includes(bare) ? [bare] : undefined;
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.toLowerCase());
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * A function finding the pid that owns the listening socket behind `url` now, for a caller that
 * notices its process was replaced. Prefers a Go binary when a listener is shared across a fork.
 * Resolves undefined for a remote host or when no owner is visible.
 */
export function portOwnerResolver(url: URL, procRoot = '/proc'): () => Promise<number | undefined> {
  return async () => {
    const addresses = localAddressesOf(url.hostname);
    if (!addresses) return undefined;
    let owners: number[];
    try {
      owners = await findPortOwners(portOf(url), { addresses, procRoot });
    } catch {
      return undefined;
    }
    for (const pid of owners) {
      if (await readGoBuildInfoOfPid(pid, procRoot).catch(() => undefined)) return pid;
    }
    return owners[0];
  };
}

/** One --target: its pid (flag, else the socket owner), Go version and identity. Never fails for lack of /proc. */
export async function resolveStaticTarget(url: URL, options: StaticTargetOptions): Promise<WatchedTarget> {
  const procRoot = options.procRoot ?? '/proc';
  const pid = options.pid ?? (await portOwnerResolver(url, procRoot)());
  const buildInfo = pid === undefined ? undefined : await readGoBuildInfoOfPid(pid, procRoot).catch(() => undefined);
  return Object.freeze({
    key: url.origin,
    url,
    pid,
    goVersion: buildInfo?.goVersion,
    identity: await resolveIdentity(pid, options.identity, procRoot, url.host),
  });
}

/** Every --target; --pid is refused unless there is exactly one. */
export async function resolveStaticTargets(urls: readonly URL[], options: StaticTargetOptions): Promise<WatchedTarget[]> {
  if (options.pid !== undefined && urls.length !== 1) {
    throw new StaticTargetError(`--pid needs exactly one --target (got ${urls.length})`);
  }
  const keys = new Set<string>();
  for (const url of urls) {
    if (keys.has(url.origin)) throw new StaticTargetError(`--target ${url.origin} is given twice`);
    keys.add(url.origin);
  }
  return Promise.all(urls.map((url) => resolveStaticTarget(url, options)));
}
