import type { IngestBatch } from './profile-store';
import { utcDay } from './sql-literal';

/** One `stacks` row: a stack lives in every day partition its samples are in, so dropping a day never orphans a sample. */
export interface DayStack {
  readonly day: string;
  readonly service: string;
  readonly hash: string;
  readonly frames: readonly string[];
  /** `day|service|hash`: what the recently-written cache remembers. */
  readonly key: string;
}

/** A map of maps that creates inner maps on first use. */
function inner<K, V>(outer: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let map = outer.get(key);
  if (!map) outer.set(key, (map = new Map<string, V>()));
  return map;
}

/**
 * The stack rows a set of batches needs: each listed stack on each day its samples fall on (on
 * the batch's own day when no sample references it), once per (day, service, hash). Called on
 * every write with up to 10⁶ samples, so lookups go through nested maps rather than built keys.
 */
export function stackRows(batches: readonly IngestBatch[]): DayStack[] {
  const rows: DayStack[] = [];
  const made = new Map<string, Map<string, Map<string, true>>>(); // day → service → hash
  for (const batch of batches) {
    const sampleDays = new Map<string, Map<string, string[]>>(); // service → hash → days
    let lastService: string | undefined;
    let hashDays = new Map<string, string[]>();
    let lastMs = Number.NaN;
    let lastDay = '';
    for (const sample of batch.samples ?? []) {
      if (sample.service !== lastService) {
        lastService = sample.service;
        hashDays = inner(sampleDays, lastService);
      }
      // The samples of one message nearly always share one time: name its day once.
      if (sample.timeMs !== lastMs) {
        lastMs = sample.timeMs;
        lastDay = utcDay(lastMs);
      }
      const days = hashDays.get(sample.stackHash);
      if (days === undefined) hashDays.set(sample.stackHash, [lastDay]);
      else if (!days.includes(lastDay)) days.push(lastDay);
    }
    const batchDay = [utcDay(batch.timeMs)];
    for (const stack of batch.stacks ?? []) {
      for (const day of sampleDays.get(stack.service)?.get(stack.hash) ?? batchDay) {
        const hashes = inner(inner(made, day), stack.service);
        if (hashes.has(stack.hash)) continue;
        hashes.set(stack.hash, true);
        rows.push({ day, service: stack.service, hash: stack.hash, frames: stack.frames, key: `${day}|${stack.service}|${stack.hash}` });
      }
    }
  }
  return rows;
}
