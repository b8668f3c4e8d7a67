// Test support (not shipped code): builds /proc- and /sys-like trees in temp directories, so
// readers that take a procRoot/sysRoot can be tested against exact, reproducible contents.
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file's content, or a symbolic link (fd/N → socket:[inode], exe → binary, ns/net → net:[…]). */
export type TreeEntry = string | Buffer | { readonly symlink: string } | { readonly dir: true };

export async function writeTree(root: string, entries: Readonly<Record<string, TreeEntry>>): Promise<void> {
  for (const [path, entry] of Object.entries(entries)) {
    const full = join(root, path);
    if (typeof entry === 'object' && 'dir' in entry) {
      await fs.mkdir(full, { recursive: true });
      continue;
    }
    await fs.mkdir(dirname(full), { recursive: true });
    await fs.rm(full, { force: true });
    if (typeof entry === 'object' && 'symlink' in entry) await fs.symlink(entry.symlink, full);
    else await fs.writeFile(full, entry);
  }
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempTree(prefix: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `stackwatch-${prefix}-`));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A /proc/<pid>/stat line with the fields the agent reads; the rest are zeros. */
export function statLine(pid: number, comm: string, f: { utime: number; stime: number; threads: number; start: number }): string {
  // Field 3 onwards; index i holds field i + 3.
  const fields: (string | number)[] = Array.from({ length: 50 }, () => 0);
  fields[0] = 'S';
  fields[14 - 3] = f.utime;
  fields[15 - 3] = f.stime;
  fields[20 - 3] = f.threads;
  fields[22 - 3] = f.start;
  return `${pid} (${comm}) ${fields.join(' ')}\n`;
}

/** A /proc/<pid>/status with VmRSS and Threads lines. */
export function statusText(name: string, rssKb: number, threads: number): string {
  return `Name:\t${name}\nState:\tS (sleeping)\nVmRSS:\t ${rssKb} kB\nThreads:\t${threads}\n`;
}
