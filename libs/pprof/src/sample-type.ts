import { formatValueType, type NormalizedProfile } from './profile';

/** A sample type by name (`"inuse_space"`) or by index (`3` or `"3"`), as `-sample_index` takes it. */
export type SampleTypeSelector = string | number;

export interface SelectedSampleType {
  readonly index: number;
  readonly type: string;
  readonly unit: string;
}

function selected(p: NormalizedProfile, index: number): SelectedSampleType {
  const { type, unit } = p.sampleTypes[index];
  return { index, type, unit };
}

/**
 * Resolves a sample type the way `go tool pprof -sample_index` does: an index, or a type name
 * (`inuse_` may be omitted or added for legacy names); without one, the profile's
 * defaultSampleType if it names a sample type, else the last sample type.
 */
export function selectSampleType(p: NormalizedProfile, sampleType?: SampleTypeSelector): SelectedSampleType {
  const count = p.sampleTypes.length;
  if (count === 0) throw new RangeError('the profile has no sample types');
  const names = `[${p.sampleTypes.map(formatValueType).join(', ')}]`;
  if (sampleType === undefined) {
    const byDefault = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    return selected(p, byDefault >= 0 ? byDefault : count - 1);
  }
  if (typeof sampleType === 'number' || /^\d+$/.test(sampleType)) {
    const asIndex = Number(sampleType);
    if (!Number.isInteger(asIndex) || asIndex < 0 || asIndex >= count) {
      throw new RangeError(`sample type index ${sampleType} is outside [0..${count - 1}] of ${names}`);
    }
    return selected(p, asIndex);
  }
  const legacy = sampleType.replace(/^inuse_/, '');
  const byName = p.sampleTypes.findIndex((t) => t.type === sampleType || t.type === legacy);
  if (byName < 0) throw new RangeError(`sample type "${sampleType}" is not one of ${names}`);
  return selected(p, byName);
}

/** Sum of one sample type over all stacks. */
export function totalValue(p: NormalizedProfile, sampleType?: SampleTypeSelector): bigint {
  const { index } = selectSampleType(p, sampleType);
  let total = 0n;
  for (const s of p.stacks) total += s.values[index];
  return total;
}
