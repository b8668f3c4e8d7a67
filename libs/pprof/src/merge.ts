import { SampleTypeMismatchError } from './errors';
import { formatValueTypes, type NormalizedProfile, type ValueType } from './profile';
import { StackAccumulator } from './stack-key';

function sameTypes(a: readonly ValueType[], b: readonly ValueType[]): boolean {
  return a.length === b.length && a.every((t, i) => t.type === b[i].type && t.unit === b[i].unit);
}

/**
 * Merges profiles of the same kind (e.g. one CPU profile per instance, or consecutive windows):
 * values of identical stacks are summed. The sample types (type and unit, in order) must match,
 * otherwise a SampleTypeMismatchError names both.
 *
 * Header: the merged profile starts at the earliest start and lasts until the latest end
 * (`timeNanos + durationNanos`); profiles whose start is unknown (0) do not move the window.
 * The period is kept (the largest, as go tool pprof does, when they differ); period type and
 * default sample type come from the first profile that has one.
 */
export function mergeProfiles(profiles: readonly NormalizedProfile[]): NormalizedProfile {
  if (profiles.length === 0) throw new RangeError('mergeProfiles needs at least one profile');
  const first = profiles[0];
  profiles.forEach((p, i) => {
    if (!sameTypes(first.sampleTypes, p.sampleTypes)) {
      throw new SampleTypeMismatchError(
        `cannot merge profiles with different sample types: profile 0 has ${formatValueTypes(first.sampleTypes)}, ` +
          `profile ${i} has ${formatValueTypes(p.sampleTypes)}`,
      );
    }
  });

  const stacks = new StackAccumulator(first.sampleTypes.length);
  let start: bigint | undefined;
  let end: bigint | undefined;
  let longest = 0n;
  let period = 0n;
  for (const p of profiles) {
    for (const s of p.stacks) stacks.add(s.frames, s.values);
    if (p.timeNanos !== 0n) {
      const pEnd = p.timeNanos + p.durationNanos;
      if (start === undefined || p.timeNanos < start) start = p.timeNanos;
      if (end === undefined || pEnd > end) end = pEnd;
    }
    if (p.durationNanos > longest) longest = p.durationNanos;
    if (p.period > period) period = p.period;
  }

  const periodType = profiles.find((p) => p.periodType)?.periodType;
  const defaultSampleType = profiles.find((p) => p.defaultSampleType !== undefined)?.defaultSampleType;
  return {
    sampleTypes: first.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    ...(periodType ? { periodType: { type: periodType.type, unit: periodType.unit } } : {}),
    period,
    timeNanos: start ?? 0n,
    durationNanos: start !== undefined && end !== undefined ? end - start : longest,
    ...(defaultSampleType !== undefined ? { defaultSampleType } : {}),
    stacks: stacks.stacks(),
  };
}
