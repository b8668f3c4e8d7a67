import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { isInt64 } from './int64';
import type { NormalizedProfile, ValueType as ValueTypeName } from './profile';

function checkInt64(value: bigint, what: string): bigint {
  if (!isInt64(value)) throw new RangeError(`${what} ${value} does not fit in a pprof int64`);
  return value;
}

/**
 * Builds the pprof-format Profile for a normalised profile: one Function and one Location per
 * distinct frame name (ids from 1, the Location's single line pointing at the Function of the
 * same id), sample locations leaf-first, values as int64.
 */
export function toPprofProfile(p: NormalizedProfile): Profile {
  const strings = new StringTable(); // starts with ""
  const valueType = (t: ValueTypeName): ValueType =>
    new ValueType({ type: strings.dedup(t.type), unit: strings.dedup(t.unit) });
  // pprof-format sizes a sub-message whose fields are all zero as 0 bytes but still writes its
  // tag and length, overflowing the buffer: never hand it one.
  const isEmpty = (t: ValueTypeName): boolean => t.type === '' && t.unit === '';

  const sampleType = p.sampleTypes.map((t, i) => {
    if (isEmpty(t)) throw new RangeError(`sample type ${i} has neither a type nor a unit`);
    return valueType(t);
  });
  const locationIds = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationId = (name: string): number => {
    let id = locationIds.get(name);
    if (id === undefined) {
      if (name === '') throw new RangeError('a frame name is empty: pprof would read it as unnamed');
      id = locationIds.size + 1;
      locationIds.set(name, id);
      const nameIndex = strings.dedup(name);
      functions.push(new PprofFunction({ id, name: nameIndex, systemName: nameIndex }));
      locations.push(new Location({ id, line: [new Line({ functionId: id })] }));
    }
    return id;
  };

  const sample: Sample[] = [];
  p.stacks.forEach((stack, i) => {
    if (stack.values.length !== p.sampleTypes.length) {
      throw new RangeError(`stack ${i} has ${stack.values.length} values for ${p.sampleTypes.length} sample types`);
    }
    // With no sample types, a stack without frames carries nothing (and would be an empty message).
    if (stack.values.length === 0 && stack.frames.length === 0) return;
    const ids: number[] = [];
    for (let j = stack.frames.length - 1; j >= 0; j--) ids.push(locationId(stack.frames[j]));
    sample.push(new Sample({ locationId: ids, value: stack.values.map((v) => checkInt64(v, `stack ${i} value`)) }));
  });

  return new Profile({
    sampleType,
    sample,
    location: locations,
    function: functions,
    stringTable: strings,
    // An empty period type is dropped: pprof reads that as no period type.
    ...(p.periodType && !isEmpty(p.periodType) ? { periodType: valueType(p.periodType) } : {}),
    period: checkInt64(p.period, 'period'),
    timeNanos: checkInt64(p.timeNanos, 'timeNanos'),
    durationNanos: checkInt64(p.durationNanos, 'durationNanos'),
    ...(p.defaultSampleType !== undefined ? { defaultSampleType: strings.dedup(p.defaultSampleType) } : {}),
  });
}

/** Encodes a normalised profile as a gzipped pprof protobuf that `go tool pprof` reads. */
export function encodeProfile(p: NormalizedProfile): Buffer {
  return gzipSync(toPprofProfile(p).encode());
}
