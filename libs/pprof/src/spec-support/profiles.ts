import type { NormalizedProfile, Stack } from '../profile';

/** A NormalizedProfile from `"a;b;c": [values]` (root-first, `;`-separated) with a neutral header. */
export function profileOf(
  stacks: Record<string, Array<number | bigint>>,
  sampleTypes: Array<[string, string]> = [['samples', 'count']],
  header: Partial<NormalizedProfile> = {},
): NormalizedProfile {
  const list: Stack[] = Object.entries(stacks).map(([key, values]) => ({
    frames: key === '' ? [] : key.split(';'),
    values: values.map((v) => BigInt(v)),
  }));
  return {
    sampleTypes: sampleTypes.map(([type, unit]) => ({ type, unit })),
    period: 1n,
    timeNanos: 0n,
    durationNanos: 0n,
    ...header,
    stacks: list,
  };
}
