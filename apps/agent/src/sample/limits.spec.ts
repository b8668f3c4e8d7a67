import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { tempTree, writeTree } from '../discover/__fixtures__/file-tree';
import { effectiveLimits, hostResources, readEffectiveLimits } from './limits';

const host = { cores: 8, memoryBytes: 32 * 1024 ** 3 };

describe('effectiveLimits', () => {
  it('uses the cgroup limits when set', () => {
    expect(effectiveLimits({ cpuCores: 1.5, memoryBytes: 1024 ** 3, cpuSource: 'v2', memorySource: 'v2' }, host)).toEqual({
      cpuCores: 1.5,
      memoryBytes: 1024 ** 3,
      cpuLimited: true,
      memoryLimited: true,
    });
  });

  it('falls back to the host when there is no quota (it never stops monitoring)', () => {
    expect(effectiveLimits({ cpuCores: undefined, memoryBytes: undefined, cpuSource: 'none', memorySource: 'none' }, host)).toEqual({
      cpuCores: 8,
      memoryBytes: host.memoryBytes,
      cpuLimited: false,
      memoryLimited: false,
    });
    expect(effectiveLimits(undefined, host)).toMatchObject({ cpuCores: 8, memoryBytes: host.memoryBytes });
  });

  it('a limit above the host capacity binds nothing', () => {
    expect(effectiveLimits({ cpuCores: 64, memoryBytes: 2 ** 50, cpuSource: 'v1', memorySource: 'v1' }, host)).toMatchObject({
      cpuCores: 8,
      memoryBytes: host.memoryBytes,
      cpuLimited: false,
      memoryLimited: false,
    });
  });

  it('reads the host from os', () => {
    expect(hostResources()).toEqual({ cores: availableParallelism(), memoryBytes: totalmem() });
  });
});

describe('readEffectiveLimits', () => {
  const tree = tempTree('limits');
  afterAll(tree.cleanup);

  it('reads the cgroup of a pid', async () => {
    await writeTree(tree.root, {
      'proc/42/cgroup': '0::/app\n',
      'proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
      'sys/fs/cgroup/app/cpu.max': '200000 100000\n',
      'sys/fs/cgroup/app/memory.max': 'max\n',
    });
    const roots = { procRoot: join(tree.root, 'proc'), sysRoot: join(tree.root, 'sys') };
    expect(await readEffectiveLimits(42, roots, host)).toEqual({ cpuCores: 2, memoryBytes: host.memoryBytes, cpuLimited: true, memoryLimited: false });
  });

  it('uses the host for an unknown pid or unreadable cgroups, without rejecting', async () => {
    const roots = { procRoot: join(tree.root, 'proc') };
    expect(await readEffectiveLimits(undefined, roots, host)).toMatchObject({ cpuCores: 8, cpuLimited: false });
    expect(await readEffectiveLimits(4242, roots, host)).toMatchObject({ cpuCores: 8, memoryLimited: false });
  });
});
