import type { EventRecord, InstanceSummary, InstanceTotal, MetricSeries, ProfileMeta, StoredFinding, StoredTrigger } from './profile-store';

/**
 * Turning result rows into port records, shared by both stores: their tables have the same column
 * names, and only the encodings of numbers differ (DuckDB gives bigint, ClickHouse's JSON gives
 * 64-bit integers as strings).
 */
export type Row = Record<string, unknown>;

export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') return Number(value);
  throw new TypeError(`store row: expected a number, got ${typeof value}`);
}

export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function labels(keys: unknown, values: unknown): Record<string, string> {
  const v = strings(values);
  return Object.fromEntries(strings(keys).map((key, i) => [key, v[i] ?? '']));
}

/** Labels as the two parallel arrays the tables keep (`label_keys`, `label_values`). */
export function labelArrays(map: Readonly<Record<string, string>>): { keys: string[]; values: string[] } {
  const entries = Object.entries(map);
  return { keys: entries.map(([k]) => k), values: entries.map(([, v]) => v) };
}

/** The trigger columns of a profile row. */
export function triggerColumns(t: StoredTrigger): { kind: string; name: string; value: number; average: number; threshold: number; eventId: string } {
  if (t.kind === 'rule') return { kind: t.kind, name: t.rule, value: t.value, average: t.average, threshold: t.threshold, eventId: t.eventId };
  if (t.kind === 'analysis') return { kind: t.kind, name: t.analysis, value: 0, average: 0, threshold: 0, eventId: t.eventId };
  return { kind: 'baseline', name: '', value: 0, average: 0, threshold: 0, eventId: '' };
}

function trigger(row: Row): StoredTrigger {
  const eventId = String(row.trigger_event_id);
  if (row.trigger_kind === 'rule') {
    return { kind: 'rule', rule: String(row.trigger_name), value: num(row.trigger_value), average: num(row.trigger_average), threshold: num(row.trigger_threshold), eventId };
  }
  if (row.trigger_kind === 'analysis') return { kind: 'analysis', analysis: String(row.trigger_name), eventId };
  return { kind: 'baseline' };
}

/** The profile columns listings read (everything but the pprof bytes). */
export const PROFILE_META_COLUMNS =
  'id, service, instance, label_keys, label_values, pid, go_version, type, start_ms, duration_ms, trigger_kind, trigger_name, trigger_value, trigger_average, trigger_threshold, trigger_event_id, sample_types, sample_units';

export function profileMeta(row: Row): ProfileMeta {
  const units = strings(row.sample_units);
  return {
    id: String(row.id),
    service: String(row.service),
    instance: String(row.instance),
    labels: labels(row.label_keys, row.label_values),
    pid: num(row.pid),
    goVersion: String(row.go_version),
    type: String(row.type),
    startMs: num(row.start_ms),
    durationMs: num(row.duration_ms),
    trigger: trigger(row),
    sampleTypes: strings(row.sample_types).map((type, i) => ({ type, unit: units[i] ?? '' })),
  };
}

export const EVENT_COLUMNS = 'id, service, instance, time_ms, kind, value, average, threshold, reason, profile_ids, findings';

export function eventRecord(row: Row): EventRecord {
  return {
    id: String(row.id),
    service: String(row.service),
    instance: String(row.instance),
    timeMs: num(row.time_ms),
    kind: String(row.kind),
    value: num(row.value),
    average: num(row.average),
    threshold: num(row.threshold),
    reason: String(row.reason),
    profileIds: strings(row.profile_ids),
    findings: JSON.parse(String(row.findings)) as StoredFinding[],
  };
}

const instanceKey = (r: Row) => `${String(r.service)}\0${String(r.instance)}`;

/** Joins the three instance queries: last seen (every instance), latest metric values and latest state. */
export function mergeInstanceSummaries(lastSeen: readonly Row[], metrics: readonly Row[], states: readonly Row[]): InstanceSummary[] {
  const latest = new Map<string, Record<string, number>>();
  for (const m of metrics) {
    const values = latest.get(instanceKey(m)) ?? {};
    values[String(m.name)] = num(m.value);
    latest.set(instanceKey(m), values);
  }
  const state = new Map(states.map((s) => [instanceKey(s), String(s.state)]));
  return lastSeen.map((r) => {
    const summary: InstanceSummary = { service: String(r.service), instance: String(r.instance), lastSeenMs: num(r.last_seen), latestMetrics: latest.get(instanceKey(r)) ?? {} };
    const s = state.get(instanceKey(r));
    return s === undefined ? summary : { ...summary, state: s };
  });
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every instance with profiles in the filter, with the summed value of the stacks asked about (0 when none); largest first. */
export function mergeInstanceTotals(service: string, values: readonly Row[], counts: readonly Row[]): InstanceTotal[] {
  const valueOf = new Map(values.map((v) => [String(v.instance), num(v.value)]));
  return counts
    .map((c) => ({ service, instance: String(c.instance), value: valueOf.get(String(c.instance)) ?? 0, profiles: num(c.profiles) }))
    .sort((a, b) => b.value - a.value || byText(a.instance, b.instance));
}

/** Rows (service, instance, bucket, value) ordered by instance then bucket → one series per instance. */
export function groupSeries(rows: readonly Row[]): MetricSeries[] {
  const series: { service: string; instance: string; points: [number, number][] }[] = [];
  for (const r of rows) {
    const last = series[series.length - 1];
    const point: [number, number] = [num(r.bucket), num(r.value)];
    if (last && last.service === String(r.service) && last.instance === String(r.instance)) last.points.push(point);
    else series.push({ service: String(r.service), instance: String(r.instance), points: [point] });
  }
  return series;
}
