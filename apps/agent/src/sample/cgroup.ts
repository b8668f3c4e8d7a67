import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';

/** One line of /proc/<pid>/cgroup: `ID:controllers:path` (v2: `0::path`). */
export interface CgroupMembership {
  readonly hierarchyId: number;
  /** Empty for the v2 unified hierarchy; `name=systemd` style entries are kept as-is. */
  readonly controllers: readonly string[];
  readonly path: string;
}

/** A cgroup filesystem as /proc/<pid>/mountinfo lists it. */
export interface CgroupMount {
  readonly version: 1 | 2;
  readonly mountPoint: string;
  /** The cgroup shown at the mount point (not "/" inside a container without its own cgroup namespace). */
  readonly root: string;
  /** v1: the controllers of this hierarchy (from the super options); v2: empty. */
  readonly controllers: readonly string[];
}

/** Limits of a process's cgroups; undefined means "no limit" (or not found). */
export interface CgroupLimits {
  readonly cpuCores: number | undefined;
  readonly memoryBytes: number | undefined;
  /** Where each came from, for logs: "v1", "v2" or "none". */
  readonly cpuSource: 'v1' | 'v2' | 'none';
  readonly memorySource: 'v1' | 'v2' | 'none';
}

export interface CgroupRoots {
  readonly procRoot?: string;
  /** Mount points under /sys are looked up under this directory instead (for fixture trees). */
  readonly sysRoot?: string;
}

/** cgroup v1 reports "no memory limit" as PAGE_COUNTER_MAX × page size: ≈ 2^63, never below 2^62. */
const V1_UNLIMITED = 2 ** 62;

export function parseProcCgroup(text: string): CgroupMembership[] {
  const entries: CgroupMembership[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    entries.push({ hierarchyId: Number(m[1]), controllers: m[2] ? m[2].split(',') : [], path: m[3] });
  }
  return entries;
}

/** The cgroup and cgroup2 lines of a mountinfo file (fields: id parent dev root mountpoint opts … - fstype source superopts). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const [fsType, , superOptions = ''] = line.slice(dash + 3).split(' ');
    if (before.length < 5 || (fsType !== 'cgroup' && fsType !== 'cgroup2')) continue;
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    mounts.push({
      version: fsType === 'cgroup2' ? 2 : 1,
      root: unescape(before[3]),
      mountPoint: unescape(before[4]),
      controllers: fsType === 'cgroup2' ? [] : superOptions.split(',').filter((o) => o !== 'rw' && o !== 'ro'),
    });
  }
  return mounts;
}

/** v2 cpu.max "QUOTA PERIOD" → cores; "max …" → undefined (no limit). */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === 'max') return undefined;
  return coresFrom(Number(quota), Number(period ?? 100_000));
}

/** v1 cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us → cores. */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  return coresFrom(Number(quotaText.trim()), Number(periodText.trim()));
}

function coresFrom(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return quota / period;
}

/** memory.max ("max") or memory.limit_in_bytes (≥ 2^62 = none) → bytes. */
export function parseMemoryLimit(text: string): number | undefined {
  const value = text.trim();
  if (value === 'max') return undefined;
  const bytes = Number(value);
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= V1_UNLIMITED) return undefined;
  return bytes;
}

/** Where a controller's files live for one process, v1 preferred (in hybrid mode v2 usually has none). */
interface Location {
  readonly version: 1 | 2;
  /** Directory of the process's own cgroup, then each ancestor up to the mount point. */
  readonly dirs: readonly string[];
}

function relocate(mountPoint: string, sysRoot: string): string {
  if (sysRoot === '/sys' || !(mountPoint === '/sys' || mountPoint.startsWith('/sys/'))) return mountPoint;
  return join(sysRoot, mountPoint.slice('/sys'.length));
}

/** The process's cgroup directory and its ancestors, leaf first, all inside the mount. */
function chain(mount: CgroupMount, path: string, sysRoot: string): string[] {
  const base = relocate(mount.mountPoint, sysRoot);
  // Paths are shown relative to our cgroup namespace; strip the part above the mounted root.
  let relative = path;
  if (mount.root !== '/' && (path === mount.root || path.startsWith(`${mount.root}/`))) relative = path.slice(mount.root.length);
  const parts = relative.split('/').filter((p) => p && p !== '..' && p !== '.');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(join(base, ...parts.slice(0, n)));
  return dirs;
}

function locate(controller: 'cpu' | 'memory', memberships: readonly CgroupMembership[], mounts: readonly CgroupMount[], sysRoot: string): Location | undefined {
  const v1 = memberships.find((m) => m.controllers.includes(controller));
  const v1Mount = mounts.find((m) => m.version === 1 && m.controllers.includes(controller));
  if (v1 && v1Mount) return { version: 1, dirs: chain(v1Mount, v1.path, sysRoot) };
  const v2 = memberships.find((m) => m.hierarchyId === 0 && m.controllers.length === 0);
  const v2Mount = mounts.find((m) => m.version === 2);
  if (v2 && v2Mount) return { version: 2, dirs: chain(v2Mount, v2.path, sysRoot) };
  return undefined;
}

/** Without a readable mountinfo: the usual layouts under /sys/fs/cgroup. */
function defaultMounts(memberships: readonly CgroupMembership[], sysRoot: string): CgroupMount[] {
  const top = join(sysRoot, 'fs', 'cgroup');
  if (existsSync(join(top, 'cgroup.controllers'))) return [{ version: 2, mountPoint: top, root: '/', controllers: [] }];
  const mounts: CgroupMount[] = memberships
    .filter((m) => m.controllers.length > 0)
    .map((m) => ({ version: 1, mountPoint: join(top, m.controllers.join(',')), root: '/', controllers: m.controllers }));
  mounts.push({ version: 2, mountPoint: join(top, 'unified'), root: '/', controllers: [] });
  return mounts;
}

const readOptional = (file: string): Promise<string | undefined> => fs.readFile(file, 'utf8').catch(() => undefined);

/** The smallest limit along the chain: a parent's limit binds its children too. */
async function tightest(dirs: readonly string[], readLevel: (dir: string) => Promise<number | undefined>): Promise<number | undefined> {
  const levels = await Promise.all(dirs.map(readLevel));
  const limits = levels.filter((v): v is number => v !== undefined);
  return limits.length ? Math.min(...limits) : undefined;
}

async function cpuLimit(location: Location): Promise<number | undefined> {
  return tightest(location.dirs, async (dir) => {
    if (location.version === 2) {
      const max = await readOptional(join(dir, 'cpu.max'));
      return max === undefined ? undefined : parseCpuMax(max);
    }
    const [quota, period] = await Promise.all([readOptional(join(dir, 'cpu.cfs_quota_us')), readOptional(join(dir, 'cpu.cfs_period_us'))]);
    return quota === undefined || period === undefined ? undefined : parseCfsQuota(quota, period);
  });
}

async function memoryLimit(location: Location): Promise<number | undefined> {
  const file = location.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
  return tightest(location.dirs, async (dir) => {
    const text = await readOptional(join(dir, file));
    return text === undefined ? undefined : parseMemoryLimit(text);
  });
}

/**
 * CPU and memory limits of `pid`'s cgroups, v1, v2 or hybrid. Mount points come from the agent's own
 * mountinfo because /proc/<pid>/cgroup paths are relative to the reader's cgroup namespace. Rejects
 * only when /proc/<pid>/cgroup cannot be read; missing limit files mean "no limit".
 */
export async function readCgroupLimits(pid: number, roots: CgroupRoots = {}): Promise<CgroupLimits> {
  const procRoot = roots.procRoot ?? '/proc';
  const sysRoot = roots.sysRoot ?? '/sys';
  const memberships = parseProcCgroup(await fs.readFile(join(procRoot, String(pid), 'cgroup'), 'utf8'));
  const mountinfo = await readOptional(join(procRoot, 'self', 'mountinfo'));
  const parsed = mountinfo === undefined ? [] : parseCgroupMounts(mountinfo);
  const mounts = parsed.length ? parsed : defaultMounts(memberships, sysRoot);
  const cpu = locate('cpu', memberships, mounts, sysRoot);
  const memory = locate('memory', memberships, mounts, sysRoot);
  const [cpuCores, memoryBytes] = await Promise.all([cpu ? cpuLimit(cpu) : undefined, memory ? memoryLimit(memory) : undefined]);
  const source = (l: Location | undefined, value: number | undefined) => (l && value !== undefined ? (`v${l.version}` as const) : 'none');
  return { cpuCores, memoryBytes, cpuSource: source(cpu, cpuCores), memorySource: source(memory, memoryBytes) };
}
