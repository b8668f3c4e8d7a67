import { readFileSync } from 'node:fs';
import { tempTree, writeTree, type TreeEntry } from '../discover/__fixtures__/file-tree';
import { join } from 'node:path';
import { parseCfsQuota, parseCgroupMounts, parseCpuMax, parseMemoryLimit, parseProcCgroup, readCgroupLimits } from './cgroup';

// Captured here: cgroup v1 hybrid, cpu and cpuacct mounted apart, memory in a nested cgroup, no limits.
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const V1_NO_LIMIT = '9223372036854771712\n';
const GiB = 1024 ** 3;

describe('cgroup file parsers', () => {
  it('parses /proc/<pid>/cgroup lines, v1 and v2', () => {
    const entries = parseProcCgroup(fixture('cgroup-this-machine'));
    expect(entries).toHaveLength(10);
    expect(entries).toContainEqual({ hierarchyId: 4, controllers: ['memory'], path: '/process_api/7e0cda564f28a17292135a7a1a30be43' });
    expect(entries).toContainEqual({ hierarchyId: 9, controllers: ['name=systemd'], path: '/' });
    expect(entries).toContainEqual({ hierarchyId: 0, controllers: [], path: '/' });
    expect(parseProcCgroup('4:cpu,cpuacct:/docker/a:b\n')).toEqual([{ hierarchyId: 4, controllers: ['cpu', 'cpuacct'], path: '/docker/a:b' }]);
  });

  it('finds the cgroup mounts of a real mountinfo', () => {
    const mounts = parseCgroupMounts(fixture('mountinfo-this-machine'));
    expect(mounts).toHaveLength(10);
    expect(mounts).toContainEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu', root: '/', controllers: ['cpu'] });
    expect(mounts).toContainEqual({ version: 1, mountPoint: '/sys/fs/cgroup/systemd', root: '/', controllers: ['name=systemd'] });
    expect(mounts).toContainEqual({ version: 2, mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] });
  });

  it('unescapes octal sequences in mount paths', () => {
    const line = '50 31 0:40 /a\\040b /sys/fs/cgroup/my\\040cpu rw - cgroup cgroup rw,cpu,cpuacct';
    expect(parseCgroupMounts(line)).toEqual([{ version: 1, mountPoint: '/sys/fs/cgroup/my cpu', root: '/a b', controllers: ['cpu', 'cpuacct'] }]);
  });

  it.each([
    ['max 100000', undefined],
    ['max', undefined],
    ['150000 100000', 1.5],
    ['50000 100000\n', 0.5],
    ['garbage', undefined],
  ])('cpu.max %j → %s cores', (text, cores) => {
    expect(parseCpuMax(text)).toBe(cores);
  });

  it('cfs quota: -1 is no limit', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota('250000\n', '100000\n')).toBe(2.5);
  });

  it.each([
    ['max\n', undefined],
    [V1_NO_LIMIT, undefined],
    ['9223372036854775807', undefined],
    [String(2 ** 62), undefined],
    ['536870912\n', 512 * 1024 ** 2],
    ['', undefined],
  ])('memory limit %j → %s', (text, bytes) => {
    expect(parseMemoryLimit(text)).toBe(bytes);
  });
});

describe('readCgroupLimits over fixture trees', () => {
  const tree = tempTree('cgroup');
  afterAll(tree.cleanup);
  let n = 0;

  /** A fresh proc+sys pair: /proc/42/cgroup, optionally /proc/self/mountinfo, and files under /sys. */
  async function layout(cgroup: string, mountinfo: string | undefined, sys: Record<string, TreeEntry>) {
    const root = join(tree.root, String(n++));
    await writeTree(root, {
      'proc/42/cgroup': cgroup,
      ...(mountinfo === undefined ? {} : { 'proc/self/mountinfo': mountinfo }),
      ...Object.fromEntries(Object.entries(sys).map(([path, entry]) => [join('sys', path), entry])),
    });
    return readCgroupLimits(42, { procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
  }

  const V2_MOUNT = '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';

  it('this machine: v1 hybrid, separate cpu and cpuacct mounts, nested memory cgroup, no limits', async () => {
    const limits = await layout(fixture('cgroup-this-machine'), fixture('mountinfo-this-machine'), {
      'fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
      'fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      'fs/cgroup/memory/memory.limit_in_bytes': V1_NO_LIMIT,
      'fs/cgroup/memory/process_api/7e0cda564f28a17292135a7a1a30be43/memory.limit_in_bytes': V1_NO_LIMIT,
      'fs/cgroup/unified/cgroup.procs': '',
    });
    expect(limits).toEqual({ cpuCores: undefined, memoryBytes: undefined, cpuSource: 'none', memorySource: 'none' });
  });

  it('v1 with the usual cpu,cpuacct mount and limits', async () => {
    const mountinfo = [
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
      '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    ].join('\n');
    const limits = await layout('5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n', mountinfo, {
      'fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '50000\n',
      'fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
      'fs/cgroup/memory/docker/abc/memory.limit_in_bytes': '268435456\n',
    });
    expect(limits).toEqual({ cpuCores: 0.5, memoryBytes: 268435456, cpuSource: 'v1', memorySource: 'v1' });
  });

  it('v2 with limits on the process cgroup', async () => {
    const limits = await layout('0::/kubepods.slice/pod1/ctr\n', V2_MOUNT, {
      'fs/cgroup/cgroup.controllers': 'cpu memory\n',
      'fs/cgroup/kubepods.slice/pod1/ctr/cpu.max': '150000 100000\n',
      'fs/cgroup/kubepods.slice/pod1/ctr/memory.max': '536870912\n',
    });
    expect(limits).toEqual({ cpuCores: 1.5, memoryBytes: 536870912, cpuSource: 'v2', memorySource: 'v2' });
  });

  it('v2 without limits: "max" everywhere', async () => {
    const limits = await layout('0::/user.slice/app\n', V2_MOUNT, {
      'fs/cgroup/user.slice/app/cpu.max': 'max 100000\n',
      'fs/cgroup/user.slice/app/memory.max': 'max\n',
    });
    expect(limits).toEqual({ cpuCores: undefined, memoryBytes: undefined, cpuSource: 'none', memorySource: 'none' });
  });

  it('nested paths: a parent limit binds the child, the tightest one wins', async () => {
    const v2 = await layout('0::/kubepods/pod1/ctr\n', V2_MOUNT, {
      'fs/cgroup/kubepods/pod1/ctr/cpu.max': 'max 100000\n',
      'fs/cgroup/kubepods/pod1/ctr/memory.max': 'max\n',
      'fs/cgroup/kubepods/pod1/cpu.max': '200000 100000\n',
      'fs/cgroup/kubepods/pod1/memory.max': `${GiB}\n`,
      'fs/cgroup/kubepods/memory.max': `${4 * GiB}\n`,
    });
    expect(v2).toMatchObject({ cpuCores: 2, memoryBytes: GiB });

    const mountinfo = '32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    const v1 = await layout('2:cpu:/kubepods/pod1/ctr\n3:memory:/kubepods/pod1/ctr\n', mountinfo, {
      'fs/cgroup/cpu/kubepods/pod1/ctr/cpu.cfs_quota_us': '150000\n',
      'fs/cgroup/cpu/kubepods/pod1/ctr/cpu.cfs_period_us': '100000\n',
      'fs/cgroup/cpu/kubepods/pod1/cpu.cfs_quota_us': '400000\n',
      'fs/cgroup/cpu/kubepods/pod1/cpu.cfs_period_us': '100000\n',
      'fs/cgroup/memory/kubepods/pod1/ctr/memory.limit_in_bytes': V1_NO_LIMIT,
      'fs/cgroup/memory/kubepods/pod1/memory.limit_in_bytes': `${2 * GiB}\n`,
    });
    expect(v1).toMatchObject({ cpuCores: 1.5, memoryBytes: 2 * GiB, cpuSource: 'v1', memorySource: 'v1' });
  });

  it('hybrid: v1 controllers win; a controller only on the unified hierarchy is read there', async () => {
    const mountinfo = [
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
      '41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw',
    ].join('\n');
    const limits = await layout('4:cpu,cpuacct:/app\n0::/app\n', mountinfo, {
      'fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us': '100000\n',
      'fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us': '100000\n',
      'fs/cgroup/unified/app/cpu.max': '900000 100000\n', // ignored: cpu is a v1 controller here
      'fs/cgroup/unified/app/memory.max': `${3 * GiB}\n`,
    });
    expect(limits).toEqual({ cpuCores: 1, memoryBytes: 3 * GiB, cpuSource: 'v1', memorySource: 'v2' });
  });

  it('a container without a cgroup namespace: the mount root is its own cgroup', async () => {
    const mountinfo = '35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n';
    const limits = await layout('3:memory:/docker/abc\n', mountinfo, { 'fs/cgroup/memory/memory.limit_in_bytes': `${GiB}\n` });
    expect(limits.memoryBytes).toBe(GiB);
  });

  it('without a readable mountinfo, falls back to the usual layout under /sys/fs/cgroup', async () => {
    const v2 = await layout('0::/app\n', undefined, {
      'fs/cgroup/cgroup.controllers': 'cpu memory\n',
      'fs/cgroup/app/memory.max': `${GiB}\n`,
    });
    expect(v2).toMatchObject({ memoryBytes: GiB, memorySource: 'v2' });
    const v1 = await layout('4:cpu,cpuacct:/app\n', undefined, {
      'fs/cgroup/cpu,cpuacct/app/cpu.cfs_quota_us': '300000\n',
      'fs/cgroup/cpu,cpuacct/app/cpu.cfs_period_us': '100000\n',
    });
    expect(v1).toMatchObject({ cpuCores: 3, cpuSource: 'v1', memoryBytes: undefined });
  });

  it('rejects when the process has gone (no /proc/<pid>/cgroup)', async () => {
    await expect(readCgroupLimits(42, { procRoot: join(tree.root, 'nowhere') })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readCgroupLimits on this machine', () => {
  it('reads the limits of this process without failing', async () => {
    const limits = await readCgroupLimits(process.pid);
    if (limits.cpuCores !== undefined) expect(limits.cpuCores).toBeGreaterThan(0);
    if (limits.memoryBytes !== undefined) expect(limits.memoryBytes).toBeGreaterThan(0);
  });
});
