import { availableParallelism, totalmem } from 'node:os';
import { readCgroupLimits, type CgroupLimits, type CgroupRoots } from './cgroup';

/** What the machine offers when no cgroup limit applies. */
export interface HostResources {
  readonly cores: number;
  readonly memoryBytes: number;
}

/** The limits percentages are computed against; always defined, so a missing quota never stops monitoring. */
export interface EffectiveLimits {
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** True when the value is a cgroup limit, false when it is the host's capacity. */
  readonly cpuLimited: boolean;
  readonly memoryLimited: boolean;
}

export function hostResources(): HostResources {
  return { cores: availableParallelism(), memoryBytes: totalmem() };
}

/** A cgroup limit above what the host has binds nothing: the smaller of the two counts. */
export function effectiveLimits(cgroup: CgroupLimits | undefined, host: HostResources = hostResources()): EffectiveLimits {
  const cpu = cgroup?.cpuCores;
  const memory = cgroup?.memoryBytes;
  const cpuLimited = cpu !== undefined && cpu < host.cores;
  const memoryLimited = memory !== undefined && memory < host.memoryBytes;
  return {
    cpuCores: cpuLimited ? cpu : host.cores,
    memoryBytes: memoryLimited ? memory : host.memoryBytes,
    cpuLimited,
    memoryLimited,
  };
}

/** Limits of `pid` (host capacity when pid is undefined or its cgroups cannot be read). Never rejects. */
export async function readEffectiveLimits(
  pid: number | undefined,
  roots: CgroupRoots = {},
  host: HostResources = hostResources(),
): Promise<EffectiveLimits> {
  const cgroup = pid === undefined ? undefined : await readCgroupLimits(pid, roots).catch(() => undefined);
  return effectiveLimits(cgroup, host);
}
