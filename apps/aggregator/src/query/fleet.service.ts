import { Inject, Injectable } from '@nestjs/common';
import { PROFILE_STORE, type EventRecord, type InstanceSummary, type ProfileStore, type StoredFinding } from '../store/profile-store';
import type { EventsQuery, InstancesQuery, MetricSeriesQuery, ServicesQuery } from './dto/fleet.dto';
import { DEFAULT_LIMIT } from './dto/query-params';
import { resolveStep } from './metric-step';
import { QUERY_OPTIONS, type QueryOptions } from './query-options';
import { resolveTimeRange, toRfc3339 } from './time-range';

export interface ServiceView {
  readonly service: string;
  readonly instances: number;
  readonly lastSeen: string;
  readonly lastSeenMs: number;
}

export interface InstanceView {
  readonly service: string;
  readonly instance: string;
  readonly lastSeen: string;
  readonly lastSeenMs: number;
  readonly latestMetrics: Readonly<Record<string, number>>;
  /** UP, DOWN, RESTARTED, DEGRADED; null when no status was reported in the range. */
  readonly state: string | null;
}

export interface EventView {
  readonly id: string;
  readonly time: string;
  readonly timeMs: number;
  readonly service: string;
  readonly instance: string;
  readonly kind: string;
  readonly value: number;
  readonly average: number;
  readonly threshold: number;
  readonly reason: string;
  readonly profiles: readonly { id: string; type: string | null }[];
  readonly findings: readonly StoredFinding[];
}

export interface SeriesView {
  readonly service: string;
  readonly instance: string;
  readonly stepMs: number;
  readonly points: readonly (readonly [number, number])[];
}

const PROFILE_MARGIN_MS = 600_000;
// Ids per profile lookup: keeps the statement small (ClickHouse 18.16: 256 KiB max_query_size).
const IDS_PER_QUERY = 1_000;

/** Who reports, what happened, and metric series: plain reads through the store. */
@Injectable()
export class FleetService {
  constructor(
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
    @Inject(QUERY_OPTIONS) private readonly options: QueryOptions,
  ) {}

  private range(query: { from?: string; to?: string }) {
    return resolveTimeRange(query.from, query.to, { nowMs: this.options.now(), maxRangeMs: this.options.maxRangeMs });
  }

  async services(query: ServicesQuery): Promise<ServiceView[]> {
    const rows = await this.store.services(this.range(query));
    return rows
      .slice(0, query.limit ?? DEFAULT_LIMIT)
      .map((s) => ({ service: s.service, instances: s.instances, lastSeen: toRfc3339(s.lastSeenMs), lastSeenMs: s.lastSeenMs }));
  }

  async instances(query: InstancesQuery): Promise<InstanceView[]> {
    const rows = await this.store.instances({ ...this.range(query), service: query.service });
    return rows.slice(0, query.limit ?? DEFAULT_LIMIT).map(instanceView);
  }

  /** Newest first, with the type of each profile captured for the event. */
  async events(query: EventsQuery): Promise<EventView[]> {
    const range = this.range(query);
    const events = await this.store.events({ ...range, service: query.service, instance: query.instance, kind: query.kind, limit: query.limit ?? DEFAULT_LIMIT });
    const types = await this.profileTypes(events, range);
    return events.map((e) => eventView(e, types));
  }

  /**
   * Types of the events' profiles. A profile starts near its event: after it (a 30 s CPU profile
   * of an event at the range's end) or before it (the flight recorder's), hence the margin.
   */
  private async profileTypes(events: readonly EventRecord[], range: { fromMs: number; toMs: number }): Promise<Map<string, string>> {
    const ids = [...new Set(events.flatMap((e) => e.profileIds))];
    const types = new Map<string, string>();
    const window = { fromMs: Math.max(0, range.fromMs - PROFILE_MARGIN_MS), toMs: range.toMs + PROFILE_MARGIN_MS };
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      for (const p of await this.store.profiles({ ...window, ids: chunk, limit: chunk.length })) types.set(p.id, p.type);
    }
    return types;
  }

  async metricSeries(query: MetricSeriesQuery): Promise<SeriesView[]> {
    const range = this.range(query);
    const stepMs = resolveStep(query.step, range);
    const rows = await this.store.metricSeries({ ...range, service: query.service, instance: query.instance, name: query.name, stepMs });
    return rows.map((s) => ({ service: s.service, instance: s.instance, stepMs, points: s.points }));
  }
}

function instanceView(i: InstanceSummary): InstanceView {
  return {
    service: i.service,
    instance: i.instance,
    lastSeen: toRfc3339(i.lastSeenMs),
    lastSeenMs: i.lastSeenMs,
    latestMetrics: i.latestMetrics,
    state: i.state ?? null,
  };
}

function eventView(e: EventRecord, types: ReadonlyMap<string, string>): EventView {
  return {
    id: e.id,
    time: toRfc3339(e.timeMs),
    timeMs: e.timeMs,
    service: e.service,
    instance: e.instance,
    kind: e.kind,
    value: e.value,
    average: e.average,
    threshold: e.threshold,
    reason: e.reason,
    profiles: e.profileIds.map((id) => ({ id, type: types.get(id) ?? null })),
    findings: e.findings,
  };
}
