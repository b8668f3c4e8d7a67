import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type { TargetIdentity } from '../target';

/** The identity flags (--service, --instance, --label): they override or extend what a process says. */
export interface IdentityOptions {
  readonly service?: string;
  readonly instance?: string;
  readonly labels?: readonly (readonly [string, string])[];
  /** The agent's host name, for the `<host>-<pid>` fallback; defaults to os.hostname(). */
  readonly hostName?: string;
}

/** What /proc tells about a process that matters for its identity. */
export interface ProcessFacts {
  /** Its environment, when readable (needs ptrace access). */
  readonly env: ReadonlyMap<string, string> | undefined;
  /** Base name of its executable (from exe, else comm, which is truncated to 15 bytes). */
  readonly executable: string | undefined;
}

/** /proc/<pid>/environ: NUL-separated NAME=VALUE entries. */
export function parseEnviron(raw: Buffer | string): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of raw.toString().split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && !env.has(entry.slice(0, eq))) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

const optional = <T>(p: Promise<T>): Promise<T | undefined> => p.catch(() => undefined);

/** Reads environ, exe and comm; whatever cannot be read (permission, exited) is left undefined. */
export async function readProcessFacts(pid: number, procRoot = '/proc'): Promise<ProcessFacts> {
  const dir = join(procRoot, String(pid));
  const [environ, exe, comm] = await Promise.all([
    optional(fs.readFile(join(dir, 'environ'))),
    optional(fs.readlink(join(dir, 'exe'))),
    optional(fs.readFile(join(dir, 'comm'), 'utf8')),
  ]);
  // A binary replaced on disk after start shows as "/path/name (deleted)".
  const fromExe = exe ? basename(exe.replace(/ \(deleted\)$/, '')) : undefined;
  return {
    env: environ ? parseEnviron(environ) : undefined,
    executable: fromExe || comm?.trim() || undefined,
  };
}

/**
 * Identity defaults, then the flags: service = --service, else env STACKWATCH_SERVICE, else the
 * executable name; instance = --instance, else env POD_NAME, else HOSTNAME, else `<host>-<pid>`.
 * Without a pid (another pid namespace) only the flags and `fallbackId` (e.g. the URL's host:port) remain.
 */
export function identityFrom(
  facts: ProcessFacts | undefined,
  pid: number | undefined,
  options: IdentityOptions,
  fallbackId?: string,
): TargetIdentity {
  const env = facts?.env;
  const host = options.hostName ?? hostname();
  const nonEmpty = (v: string | undefined) => (v ? v : undefined);
  const service =
    nonEmpty(options.service) ?? nonEmpty(env?.get('STACKWATCH_SERVICE')) ?? nonEmpty(facts?.executable) ?? 'unknown';
  const instance =
    nonEmpty(options.instance) ??
    nonEmpty(env?.get('POD_NAME')) ??
    nonEmpty(env?.get('HOSTNAME')) ??
    `${host}-${pid ?? fallbackId ?? 'unknown'}`;
  return Object.freeze({ service, instance, labels: Object.freeze(Object.fromEntries(options.labels ?? [])) });
}

/** Identity of a process from /proc, or from the flags alone when `pid` is undefined. */
export async function resolveIdentity(
  pid: number | undefined,
  options: IdentityOptions,
  procRoot = '/proc',
  fallbackId?: string,
): Promise<TargetIdentity> {
  const facts = pid === undefined ? undefined : await readProcessFacts(pid, procRoot);
  return identityFrom(facts, pid, options, fallbackId);
}
