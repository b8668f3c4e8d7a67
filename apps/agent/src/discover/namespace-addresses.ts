import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/**
 * The IPv4 addresses a network namespace owns, from /proc/<pid>/net/fib_trie: every `/32 host
 * LOCAL` entry, loopback left out. In a pod's namespace that is the pod IP: how an agent in the
 * node's namespace (a DaemonSet with hostNetwork) reaches a pod's listener on 0.0.0.0.
 */
export function parseFibTrieLocalAddresses(text: string): string[] {
  const addresses = new Set<string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const leaf = /^\s*\|--\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leaf) {
      last = leaf[1];
      continue;
    }
    if (last !== undefined && /^\s*\/32 host LOCAL\s*$/.test(line) && !last.startsWith('127.')) addresses.add(last);
  }
  return [...addresses];
}

/** The namespace addresses of a process (empty when unreadable or it has none but loopback). */
export async function readNamespaceAddresses(pid: number, procRoot = '/proc'): Promise<string[]> {
  try {
    return parseFibTrieLocalAddresses(await fs.readFile(join(procRoot, String(pid), 'net', 'fib_trie'), 'utf8'));
  } catch {
    return [];
  }
}
