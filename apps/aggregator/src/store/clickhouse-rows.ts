import { randomBytes } from 'node:crypto';
import { stackHash } from '@stackwatch/pprof';
import type { IngestBatch, SampleRecord } from './profile-store';
import { labelArrays, triggerColumns } from './result-rows';
import { utcDay } from './sql-literal';
import type { DayStack } from './stack-rows';

/**
 * Port records → JSONEachRow text for the ClickHouse tables (docs/schema.md). The store sends the
 * text as the body of `INSERT ... FORMAT JSONEachRow`; building it here (instead of a
 * JSON.stringify per row object) matters for `samples`, where every row of one profile and sample
 * type shares everything but the stack and the value, so that shared part is encoded once.
 *
 * Each profile written gets a fresh random copy id, shared by its samples, so that two copies of
 * one message (two aggregators, or a crash and a re-send) stay distinguishable until queries pick
 * one copy per profile. 64-bit values travel as decimal strings (JSON numbers stop at 2^53);
 * DateTime columns take unix seconds; stack hashes (16 hex digits) are stored as UInt64.
 */
export interface TableText {
  readonly rows: number;
  /** The JSONEachRow body in pieces of at most CHUNK_ROWS lines. */
  readonly chunks: readonly string[];
}

export interface TablesText {
  readonly profiles: TableText;
  readonly samples: TableText;
  readonly metrics: TableText;
  readonly events: TableText;
  readonly statuses: TableText;
  readonly ingested: TableText;
}

const CHUNK_ROWS = 8192;

class TextBuilder {
  private readonly chunks: string[] = [];
  private lines: string[] = [];
  private rows = 0;

  push(line: string): void {
    this.lines.push(line);
    this.rows += 1;
    if (this.lines.length === CHUNK_ROWS) this.cut();
  }

  row(values: Record<string, unknown>): void {
    this.push(`${JSON.stringify(values)}\n`);
  }

  finish(): TableText {
    this.cut();
    return { rows: this.rows, chunks: this.chunks };
  }

  private cut(): void {
    if (this.lines.length > 0) this.chunks.push(this.lines.join(''));
    this.lines = [];
  }
}

/** A random non-zero UInt64 as a decimal string. */
export function newCopyId(): string {
  const id = randomBytes(8).readBigUInt64BE();
  return id === 0n ? '1' : id.toString();
}

/** 16 hex digits → the UInt64 ClickHouse stores, as a decimal string. */
export function hashToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

/** The UInt64 ClickHouse returns (decimal text) → 16 lowercase hex digits. */
export function decimalToHash(decimal: unknown): string {
  return BigInt(String(decimal)).toString(16).padStart(16, '0');
}

const seconds = (ms: number) => Math.floor(ms / 1000);
/** The UTC hour a time falls in, in unix seconds (the `hour` column; whatever the server's zone). */
export const hourSeconds = (ms: number) => Math.floor(ms / 3_600_000) * 3600;

/**
 * The `series` column: which (service, profile type, sample type) a sample belongs to, as one
 * UInt64 that leads the samples sort key. libs/pprof's stackHash over the three names (length-
 * prefixed, so no two triples collide by concatenation), read as a number.
 */
export function seriesId(service: string, profileType: string, sampleType: string): string {
  return hashToDecimal(stackHash([service, profileType, sampleType]));
}

/** utcDay with a one-entry memo: the rows of a message almost always share their day. */
function dayNamer(): (ms: number) => string {
  let lastDay = Number.NaN;
  let lastName = '';
  return (ms) => {
    const day = Math.floor(ms / 86_400_000);
    if (day !== lastDay) {
      lastDay = day;
      lastName = utcDay(ms);
    }
    return lastName;
  };
}

export function tablesText(batches: readonly IngestBatch[], copyId: () => string = newCopyId, nowMs = Date.now()): TablesText {
  const profiles = new TextBuilder();
  const samples = new TextBuilder();
  const metrics = new TextBuilder();
  const events = new TextBuilder();
  const statuses = new TextBuilder();
  const ingested = new TextBuilder();
  const day = dayNamer();
  const decimalHashes = new Map<string, string>();
  const decimal = (hex: string) => {
    let value = decimalHashes.get(hex);
    if (value === undefined) decimalHashes.set(hex, (value = hashToDecimal(hex)));
    return value;
  };

  for (const batch of batches) {
    const copies = new Map<string, string>();
    for (const p of batch.profiles ?? []) {
      const copy = copyId();
      copies.set(p.id, copy);
      const t = triggerColumns(p.trigger);
      const labels = labelArrays(p.labels);
      profiles.row({
        date: day(p.startMs),
        time: seconds(p.startMs),
        start_ms: p.startMs,
        duration_ms: p.durationMs,
        id: p.id,
        copy_id: copy,
        service: p.service,
        instance: p.instance,
        label_keys: labels.keys,
        label_values: labels.values,
        pid: p.pid,
        go_version: p.goVersion,
        type: p.type,
        trigger_kind: t.kind,
        trigger_name: t.name,
        trigger_value: t.value,
        trigger_average: t.average,
        trigger_threshold: t.threshold,
        trigger_event_id: t.eventId,
        sample_types: p.sampleTypes.map((s) => s.type),
        sample_units: p.sampleTypes.map((s) => s.unit),
        pprof_base64: Buffer.from(p.pprofGzip.buffer, p.pprofGzip.byteOffset, p.pprofGzip.byteLength).toString('base64'),
      });
    }
    // A sample whose profile is not in its message gets a copy id no profile row names: it is
    // stored but never counted (the profile row is what makes a copy visible).
    let orphanCopy: string | undefined;
    let previous: SampleRecord | undefined;
    let prefix = '';
    for (const s of batch.samples ?? []) {
      if (
        previous === undefined ||
        s.profileId !== previous.profileId ||
        s.sampleType !== previous.sampleType ||
        s.timeMs !== previous.timeMs ||
        s.service !== previous.service ||
        s.instance !== previous.instance ||
        s.profileType !== previous.profileType
      ) {
        const copy = copies.get(s.profileId) ?? (orphanCopy ??= copyId());
        prefix =
          `{"date":"${day(s.timeMs)}","time":${seconds(s.timeMs)},"hour":${hourSeconds(s.timeMs)},"series":"${seriesId(s.service, s.profileType, s.sampleType)}",` +
          `"service":${JSON.stringify(s.service)},"instance":${JSON.stringify(s.instance)},` +
          `"profile_id":${JSON.stringify(s.profileId)},"copy_id":"${copy}","profile_type":${JSON.stringify(s.profileType)},` +
          `"sample_type":${JSON.stringify(s.sampleType)},"stack_hash":"`;
        previous = s;
      }
      samples.push(`${prefix}${decimal(s.stackHash)}","value":${s.value}}\n`);
    }
    for (const m of batch.metrics ?? []) {
      metrics.row({ date: day(m.timeMs), time: seconds(m.timeMs), service: m.service, instance: m.instance, name: m.name, value: m.value });
    }
    for (const e of batch.events ?? []) {
      events.row({
        date: day(e.timeMs),
        time: seconds(e.timeMs),
        time_ms: e.timeMs,
        id: e.id,
        service: e.service,
        instance: e.instance,
        kind: e.kind,
        value: e.value,
        average: e.average,
        threshold: e.threshold,
        reason: e.reason,
        profile_ids: e.profileIds,
        findings: JSON.stringify(e.findings),
      });
    }
    for (const s of batch.statuses ?? []) {
      const labels = labelArrays(s.labels);
      statuses.row({
        date: day(s.timeMs),
        time: seconds(s.timeMs),
        service: s.service,
        instance: s.instance,
        state: s.state,
        detail: s.detail,
        pid: s.pid,
        go_version: s.goVersion,
        url: s.url,
        label_keys: labels.keys,
        label_values: labels.values,
      });
    }
    ingested.row({ date: day(batch.timeMs), message_id: batch.messageId, written_at: seconds(nowMs) });
  }
  return {
    profiles: profiles.finish(),
    samples: samples.finish(),
    metrics: metrics.finish(),
    events: events.finish(),
    statuses: statuses.finish(),
    ingested: ingested.finish(),
  };
}

export function stacksText(stacks: readonly DayStack[]): TableText {
  const text = new TextBuilder();
  for (const s of stacks) text.row({ date: s.day, service: s.service, stack_hash: hashToDecimal(s.hash), frames: s.frames });
  return text.finish();
}
