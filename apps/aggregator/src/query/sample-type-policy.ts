import type { ProfileMeta } from '../store/profile-store';
import { InvalidParameterError, quoted } from './invalid-parameter';

/**
 * The sample type shown when none is asked for, per profile type: what `go tool pprof` shows for
 * Go's own profiles (Go marks allocs' default_sample_type as alloc_space; for the others it is the
 * last sample type). The store keeps sample types but not default_sample_type, hence this table.
 */
const PREFERRED_SAMPLE_TYPE: Readonly<Record<string, string>> = {
  cpu: 'cpu',
  heap: 'inuse_space',
  allocs: 'alloc_space',
  goroutine: 'goroutine',
  threadcreate: 'threadcreate',
  goroutineleak: 'goroutineleak',
  mutex: 'delay',
  block: 'delay',
};

/** Profile types whose every sample type is a snapshot of "now" rather than a count since some start. */
const SNAPSHOT_PROFILE_TYPES: ReadonlySet<string> = new Set(['goroutine', 'threadcreate', 'goroutineleak']);

/**
 * Gauge-like values (heap in-use, goroutines, threads) describe a moment: two profiles of one
 * instance see the same memory twice, so they are averaged per instance, never summed. Everything
 * else (cpu, alloc_*, mutex, block) counts what happened during the profile and adds up.
 */
export function isGauge(profileType: string, sampleType: string): boolean {
  return SNAPSHOT_PROFILE_TYPES.has(profileType) || sampleType.startsWith('inuse_');
}

export interface ChosenSampleType {
  readonly sampleType: string;
  readonly unit: string;
}

/**
 * Picks the sample type among a stored profile's sample types: the one asked for (400 when the
 * profiles have no such type), else the preferred one for the profile type, else the last one
 * (pprof's default).
 */
export function chooseSampleType(
  profileType: string,
  available: ProfileMeta['sampleTypes'],
  requested: string | undefined,
  parameter = 'sampleType',
): ChosenSampleType {
  const names = available.map((t) => t.type);
  if (requested !== undefined) {
    const found = available.find((t) => t.type === requested);
    if (!found) {
      throw new InvalidParameterError(parameter, `${quoted(requested)} is not a sample type of the ${profileType} profiles (${names.join(', ')})`);
    }
    return { sampleType: found.type, unit: found.unit };
  }
  const preferred = available.find((t) => t.type === PREFERRED_SAMPLE_TYPE[profileType]) ?? available[available.length - 1];
  if (!preferred) throw new InvalidParameterError('type', `the stored ${profileType} profiles have no sample types`);
  return { sampleType: preferred.type, unit: preferred.unit };
}

/** The sample type named in an empty answer when no profile says which exist. */
export function nominalSampleType(profileType: string, requested: string | undefined): string {
  return requested ?? PREFERRED_SAMPLE_TYPE[profileType] ?? profileType;
}
