import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readListeningSockets, type ListeningSocket } from './proc-net';

const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** Numeric entries of /proc: the pids visible in this pid namespace. */
export async function listPids(procRoot = '/proc'): Promise<number[]> {
  const names = await fs.readdir(procRoot);
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/**
 * Socket inodes held open by `pid`, from its /proc/<pid>/fd links. The kernel lets us read them only
 * with ptrace access (same uid or CAP_SYS_PTRACE), so this throws EACCES otherwise, or ENOENT when the
 * process has exited.
 */
export async function socketInodesOf(pid: number, procRoot = '/proc'): Promise<Set<number>> {
  const fdDir = join(procRoot, String(pid), 'fd');
  const fds = await fs.readdir(fdDir);
  const links = await Promise.all(
    // A descriptor closed between readdir and readlink is simply gone: not an error.
    fds.map((fd) => fs.readlink(join(fdDir, fd)).catch(() => '')),
  );
  const inodes = new Set<number>();
  for (const link of links) {
    const m = SOCKET_LINK.exec(link);
    if (m) inodes.add(Number(m[1]));
  }
  return inodes;
}

/**
 * Pids holding each of `inodes` open (a listener inherited across fork has several). Pids whose fds
 * cannot be read (no permission, exited meanwhile, kernel threads) are skipped silently: they are
 * not ours to watch.
 */
export async function findSocketOwners(
  inodes: ReadonlySet<number>,
  procRoot = '/proc',
  pids?: readonly number[],
): Promise<Map<number, number[]>> {
  const owners = new Map<number, number[]>();
  if (inodes.size === 0) return owners;
  for (const pid of pids ?? (await listPids(procRoot))) {
    let held: Set<number>;
    try {
      held = await socketInodesOf(pid, procRoot);
    } catch {
      continue;
    }
    for (const inode of held) {
      if (!inodes.has(inode)) continue;
      const list = owners.get(inode) ?? [];
      list.push(pid);
      owners.set(inode, list);
    }
  }
  return owners;
}

/** True when a listener on `listening` accepts connections addressed to `wanted` (wildcards included). */
export function listenerAccepts(listening: ListeningSocket, wanted: string): boolean {
  if (listening.address === wanted) return true;
  if (listening.address === '0.0.0.0') return !wanted.includes(':');
  // A `::` listener is dual-stack unless IPV6_V6ONLY was set (Go's default is dual-stack).
  if (listening.address === '::') return true;
  return listening.address === `::ffff:${wanted}`;
}

/**
 * Pids owning the local listening TCP socket of `port` in the agent's own network namespace,
 * optionally only those accepting connections to one of `addresses`. Sorted ascending; empty when
 * none is visible (another pid namespace, or no permission).
 */
export async function findPortOwners(
  port: number,
  opts: { addresses?: readonly string[]; procRoot?: string } = {},
): Promise<number[]> {
  const procRoot = opts.procRoot ?? '/proc';
  const accepts = (s: ListeningSocket) => opts.addresses === undefined || opts.addresses.some((a) => listenerAccepts(s, a));
  const sockets = (await readListeningSockets('self', procRoot)).filter((s) => s.port === port && accepts(s));
  const owners = await findSocketOwners(new Set(sockets.map((s) => s.inode)), procRoot);
  return [...new Set([...owners.values()].flat())].sort((a, b) => a - b);
}
