import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  PROFILE_STORE,
  type ProfileMeta,
  type ProfileStore,
  type SampleFilter,
  type StackTotal,
  type TimeRange,
} from '../store/profile-store';
import type { AggregatedStack } from './function-totals';
import { InvalidParameterError, quoted } from './invalid-parameter';
import { QUERY_OPTIONS, type QueryOptions } from './query-options';
import { chooseSampleType, isGauge, nominalSampleType, type ChosenSampleType } from './sample-type-policy';
import { resolveTimeRange, retentionWindow } from './time-range';

/** What a request asks to aggregate, before anything is read (parameter names as the API spells them). */
export interface AggregateRequest {
  readonly service?: string;
  readonly instance?: string;
  readonly type?: string;
  readonly sampleType?: string;
  readonly profile?: string;
  readonly from?: string;
  readonly to?: string;
}

/** The resolved scope: one service and profile type over a range, maybe one instance or profile. */
export interface AggregateScope {
  readonly service: string;
  readonly instance?: string;
  readonly profileType: string;
  readonly range: TimeRange;
  /** Set when the request named one profile. */
  readonly profile?: ProfileMeta;
  /** The newest matching profile's sample types; empty when no profile matches. */
  readonly sampleTypes: ProfileMeta['sampleTypes'];
}

/** Stacks of one sample type over a scope, averaged per instance for gauges, summed otherwise. */
export interface StackAggregate {
  readonly service: string;
  readonly profileType: string;
  readonly sampleType: string;
  readonly unit: string;
  readonly gauge: boolean;
  readonly range: TimeRange;
  readonly stacks: readonly AggregatedStack[];
  /** Exact total (not limited by maxStacks). */
  readonly total: number;
  readonly profiles: number;
  readonly instances: number;
  /** More distinct stacks matched than maxStacks: `stacks` holds the largest ones. */
  readonly truncated: boolean;
}

export interface ParameterNames {
  readonly from: string;
  readonly to: string;
  readonly profile: string;
}

const DEFAULT_NAMES: ParameterNames = { from: 'from', to: 'to', profile: 'profile' };
// Per-instance reads of a gauge aggregate run this many at a time: the store is shared.
const INSTANCE_READ_CONCURRENCY = 4;

/**
 * Reads stack aggregates through the ProfileStore port. Cumulative sample types (cpu, alloc_*,
 * contentions, delay) are summed over every profile. Gauges (in-use memory, goroutines, threads)
 * are averaged over each instance's profiles, then summed over instances: an instance profiled
 * ten times in the window holds its memory once, not ten times.
 */
@Injectable()
export class StackAggregateService {
  constructor(
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
    @Inject(QUERY_OPTIONS) private readonly options: QueryOptions,
  ) {}

  /** Resolves the request: one named profile (404 when unknown), or a service, type and range. */
  async scope(request: AggregateRequest, names: ParameterNames = DEFAULT_NAMES): Promise<AggregateScope> {
    const nowMs = this.options.now();
    if (request.profile !== undefined) {
      // One profile has its own time: a window beside it would be silently ignored.
      for (const [parameter, value] of [[names.from, request.from], [names.to, request.to]] as const) {
        if (value !== undefined) throw new InvalidParameterError(parameter, `cannot be combined with ${names.profile}=`);
      }
      return this.profileScope(request, request.profile, names, nowMs);
    }
    const { service, profileType, range } = this.window(request, names, nowMs);
    const [newest] = await this.store.profiles({ ...range, service, instance: request.instance, type: profileType, limit: 1 });
    return { service, instance: request.instance, profileType, range, sampleTypes: newest?.sampleTypes ?? [] };
  }

  /** Checks a window request without reading anything: its service, profile type and range (400s). */
  window(
    request: AggregateRequest,
    names: ParameterNames = DEFAULT_NAMES,
    nowMs = this.options.now(),
  ): { service: string; profileType: string; range: TimeRange } {
    if (request.service === undefined) throw new InvalidParameterError('service', `is required (or name one profile with ${names.profile}=)`);
    const range = resolveTimeRange(request.from, request.to, { nowMs, maxRangeMs: this.options.maxRangeMs, names });
    return { service: request.service, profileType: request.type ?? 'cpu', range };
  }

  private async profileScope(request: AggregateRequest, id: string, names: ParameterNames, nowMs: number): Promise<AggregateScope> {
    const window = retentionWindow(nowMs, this.options.maxRangeMs);
    const [meta] = await this.store.profiles({ ...window, ids: [id], limit: 1 });
    if (!meta) throw new NotFoundException(`${names.profile} ${quoted(id)} not found`);
    for (const [parameter, asked, actual] of [
      ['service', request.service, meta.service],
      ['instance', request.instance, meta.instance],
      ['type', request.type, meta.type],
    ] as const) {
      if (asked !== undefined && asked !== actual) {
        throw new InvalidParameterError(parameter, `${quoted(asked)} does not match profile ${quoted(id)} (${parameter} ${quoted(actual)})`);
      }
    }
    // Samples carry the profile's start at second precision: a few seconds around it find them,
    // and the id filter does the rest.
    const startSecondMs = Math.floor(meta.startMs / 1000) * 1000;
    return {
      service: meta.service,
      instance: meta.instance,
      profileType: meta.type,
      range: { fromMs: Math.max(0, startSecondMs - 1000), toMs: startSecondMs + 2000 },
      profile: meta,
      sampleTypes: meta.sampleTypes,
    };
  }

  /** The sample filter of a scope for a chosen sample type. */
  sampleFilter(scope: AggregateScope, sampleType: string): SampleFilter {
    return {
      ...scope.range,
      service: scope.service,
      profileType: scope.profileType,
      sampleType,
      ...(scope.instance !== undefined ? { instance: scope.instance } : {}),
      ...(scope.profile ? { profileIds: [scope.profile.id] } : {}),
    };
  }

  /**
   * The sample type asked for (400 when the scope's profiles lack it) or the profile type's usual
   * one; `unit` is empty when no profile matched, so no stored profile says what exists.
   */
  sampleTypeOf(scope: AggregateScope, requested: string | undefined, parameter = 'sampleType'): ChosenSampleType & { gauge: boolean } {
    const chosen =
      scope.sampleTypes.length === 0
        ? { sampleType: nominalSampleType(scope.profileType, requested), unit: '' }
        : chooseSampleType(scope.profileType, scope.sampleTypes, requested, parameter);
    return { ...chosen, gauge: isGauge(scope.profileType, chosen.sampleType) };
  }

  /** Stacks of the requested (or default) sample type over the scope. */
  async aggregate(
    scope: AggregateScope,
    requestedSampleType: string | undefined,
    parameter = 'sampleType',
    { countInstances = true }: { countInstances?: boolean } = {},
  ): Promise<StackAggregate> {
    const { sampleType, unit, gauge } = this.sampleTypeOf(scope, requestedSampleType, parameter);
    if (scope.sampleTypes.length === 0) return this.empty(scope, sampleType, unit);
    const filter = this.sampleFilter(scope, sampleType);
    // A cumulative type reads its stacks and, at the same time, only the profile counts per
    // instance (no stack asked about: no sample scan); the total is then the stacks' sum.
    const [perInstance, summed] = gauge
      ? [await this.store.instanceTotals(filter), undefined]
      : await Promise.all([this.store.instanceTotals(filter, []), this.readStacks(filter, countInstances)]);
    if (perInstance.length === 0) return this.empty(scope, sampleType, unit);

    const profiles = perInstance.reduce((n, i) => n + i.profiles, 0);
    let read: { stacks: AggregatedStack[]; truncated: boolean };
    let total: number;
    if (summed !== undefined) {
      read = this.limited(summed, 1);
      // Cut stacks leave the sum short: the exact total then needs the per-instance sums.
      total = read.truncated
        ? (await this.store.instanceTotals(filter)).reduce((sum, i) => sum + i.value, 0)
        : summed.reduce((sum, t) => sum + t.value, 0);
    } else {
      total = perInstance.reduce((sum, i) => sum + i.value / Math.max(1, i.profiles), 0);
      const counts = new Set(perInstance.map((i) => i.profiles));
      if (counts.size === 1) {
        // Every instance has the same number of profiles: one read, divided once, is exact.
        read = this.limited(await this.readStacks(filter, countInstances), 1 / Math.max(1, [...counts][0]));
      } else {
        read = await this.averagedPerInstance(filter, perInstance);
      }
    }
    return {
      service: scope.service,
      profileType: scope.profileType,
      sampleType,
      unit,
      gauge,
      range: scope.range,
      stacks: read.stacks,
      total,
      profiles,
      instances: perInstance.length,
      truncated: read.truncated,
    };
  }

  /** Stacks of a filter; without their instance counts when the answer does not show them and the store can skip them. */
  private readStacks(filter: SampleFilter, countInstances: boolean): Promise<readonly StackTotal[]> {
    const limit = this.options.maxStacks + 1;
    return countInstances ? this.store.stackTotals(filter, limit) : this.store.stackValues(filter, limit);
  }

  private empty(scope: AggregateScope, sampleType: string, unit: string): StackAggregate {
    return {
      service: scope.service,
      profileType: scope.profileType,
      sampleType,
      unit,
      gauge: isGauge(scope.profileType, sampleType),
      range: scope.range,
      stacks: [],
      total: 0,
      profiles: 0,
      instances: 0,
      truncated: false,
    };
  }

  private limited(totals: readonly StackTotal[], scale: number): { stacks: AggregatedStack[]; truncated: boolean } {
    const truncated = totals.length > this.options.maxStacks;
    const stacks = totals
      .slice(0, this.options.maxStacks)
      .map((t) => ({ frames: t.frames, value: t.value * scale, instances: t.instances }));
    return { stacks, truncated };
  }

  /** Instances with different profile counts: each instance's stacks divided by its own count, then summed by stack. */
  private async averagedPerInstance(
    filter: SampleFilter,
    perInstance: readonly { instance: string; profiles: number }[],
  ): Promise<{ stacks: AggregatedStack[]; truncated: boolean }> {
    const byHash = new Map<string, { frames: readonly string[]; value: number; instances: number }>();
    let truncated = false;
    await forEachLimited(perInstance, INSTANCE_READ_CONCURRENCY, async ({ instance, profiles }) => {
      const totals = await this.store.stackTotals({ ...filter, instance }, this.options.maxStacks + 1);
      if (totals.length > this.options.maxStacks) truncated = true;
      for (const t of totals.slice(0, this.options.maxStacks)) {
        const e = byHash.get(t.hash) ?? { frames: t.frames, value: 0, instances: 0 };
        e.value += t.value / Math.max(1, profiles);
        e.instances += 1;
        byHash.set(t.hash, e);
      }
    });
    const stacks = [...byHash.values()].sort((a, b) => b.value - a.value);
    if (stacks.length > this.options.maxStacks) truncated = true;
    return { stacks: stacks.slice(0, this.options.maxStacks), truncated };
  }
}

async function forEachLimited<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
