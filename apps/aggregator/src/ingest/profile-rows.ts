import { stackHash, type NormalizedProfile, type Stack } from '@stackwatch/pprof';
import type { ProfileRecord, SampleRecord, StackRecord } from '../store/profile-store';

/** What one decoded profile writes: its row, the stacks it references, and one sample per (stack, sample type) with a value. */
export interface ProfileRows {
  readonly profile: ProfileRecord;
  readonly stacks: readonly StackRecord[];
  readonly samples: readonly SampleRecord[];
}

/** pprof values are int64; rows hold JS numbers, so anything past ±2^53 is clamped there. */
export function clampToSafeInteger(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(value);
}

/**
 * Turns a decoded profile into rows. A zero value writes no sample (heap profiles carry many
 * stacks with allocations but nothing in use), and a stack with no non-zero value is not written.
 * The sample type is pprof's type name (`cpu`, `samples`, `inuse_space`, `goroutine`…).
 */
export function profileRows(meta: Omit<ProfileRecord, 'sampleTypes'>, decoded: NormalizedProfile): ProfileRows {
  const stacks: StackRecord[] = [];
  const samples: SampleRecord[] = [];
  const hashes = new Map<Stack, string>();
  // Sample type by sample type: the store encodes what consecutive rows share once.
  decoded.sampleTypes.forEach((sampleType, i) => {
    for (const stack of decoded.stacks) {
      const value = clampToSafeInteger(stack.values[i] ?? 0n);
      if (value === 0) continue;
      let hash = hashes.get(stack);
      if (hash === undefined) {
        hash = stackHash(stack.frames);
        hashes.set(stack, hash);
        stacks.push({ service: meta.service, hash, frames: stack.frames });
      }
      samples.push({
        service: meta.service,
        instance: meta.instance,
        profileId: meta.id,
        profileType: meta.type,
        sampleType: sampleType.type,
        timeMs: meta.startMs,
        stackHash: hash,
        value,
      });
    }
  });
  const profile: ProfileRecord = { ...meta, sampleTypes: decoded.sampleTypes.map(({ type, unit }) => ({ type, unit })) };
  return { profile, stacks, samples };
}
