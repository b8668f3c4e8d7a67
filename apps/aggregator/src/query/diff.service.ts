import { Injectable } from '@nestjs/common';
import type { DiffQuery } from './dto/aggregate.dto';
import { DEFAULT_LIMIT } from './dto/query-params';
import { diffFunctions, type FunctionChange } from './function-diff';
import { hideFrames, parseHidden } from './hidden-frames';
import { InvalidParameterError } from './invalid-parameter';
import { StackAggregateService, type AggregateScope, type StackAggregate } from './stack-aggregate.service';
import { toRfc3339 } from './time-range';

export interface DiffSideView {
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Set when the side is one profile. */
  readonly profile?: string;
  readonly profiles: number;
  readonly instances: number;
  /** The side's total after normalisation. */
  readonly total: number;
}

export interface DiffView {
  readonly service: string;
  readonly type: string;
  readonly sampleType: string;
  readonly unit: string;
  /** What base/current/delta are: "per second per instance" (cumulative types) or "per instance" (gauges). */
  readonly normalisation: string;
  readonly base: DiffSideView;
  readonly current: DiffSideView;
  readonly functions: readonly FunctionChange[];
}

const BASE_NAMES = { from: 'baseFrom', to: 'baseTo', profile: 'baseProfile' };
const CURRENT_NAMES = { from: 'from', to: 'to', profile: 'profile' };

/**
 * What changed between two windows (or two profiles) of a service. Each side is normalised so
 * that unlike windows compare: per instance, and for cumulative types per second of the window
 * (of the profile for single profiles), so a window twice as long or with twice the instances
 * does not read as growth.
 */
@Injectable()
export class DiffService {
  constructor(private readonly aggregates: StackAggregateService) {}

  async diff(query: DiffQuery): Promise<DiffView> {
    const hidden = parseHidden(query.hide);
    const [base, current] = await this.scopes(query);
    if (base.profileType !== current.profileType) {
      throw new InvalidParameterError('baseProfile', `is a ${base.profileType} profile, profile is a ${current.profileType} profile`);
    }
    // The sample type is resolved where profiles exist, current first (as diffProfiles does).
    const { sampleType } = this.aggregates.sampleTypeOf(current.sampleTypes.length > 0 ? current : base, query.sampleType);
    // Function changes carry no instance counts: the store may skip counting them.
    const counts = { countInstances: false };
    const [before, after] = await Promise.all([
      this.aggregates.aggregate(base, sampleType, undefined, counts),
      this.aggregates.aggregate(current, sampleType, undefined, counts),
    ]);
    const baseScale = normalisation(before, base);
    const currentScale = normalisation(after, current);
    const functions = diffFunctions(
      { stacks: hideFrames(before.stacks, hidden), scale: baseScale },
      { stacks: hideFrames(after.stacks, hidden), scale: currentScale },
      query.order ?? 'total',
    );
    return {
      service: current.service,
      type: current.profileType,
      sampleType,
      unit: after.unit || before.unit,
      normalisation: after.gauge ? 'per instance' : 'per second per instance',
      base: sideView(base, before, baseScale),
      current: sideView(current, after, currentScale),
      functions: functions.slice(0, query.limit ?? DEFAULT_LIMIT),
    };
  }

  private async scopes(query: DiffQuery): Promise<[AggregateScope, AggregateScope]> {
    const common = { service: query.service, instance: query.instance, type: query.type };
    if (query.baseProfile !== undefined || query.profile !== undefined) {
      if (query.baseProfile === undefined) throw new InvalidParameterError('baseProfile', 'is required with profile=');
      if (query.profile === undefined) throw new InvalidParameterError('profile', 'is required with baseProfile=');
      for (const name of ['from', 'to', 'baseFrom', 'baseTo'] as const) {
        if (query[name] !== undefined) throw new InvalidParameterError(name, 'cannot be combined with baseProfile= and profile=');
      }
      return Promise.all([
        this.aggregates.scope({ ...common, profile: query.baseProfile }, BASE_NAMES),
        this.aggregates.scope({ ...common, profile: query.profile }, CURRENT_NAMES),
      ]);
    }
    if ((query.baseFrom === undefined) !== (query.baseTo === undefined)) {
      const missing = query.baseFrom === undefined ? 'baseFrom' : 'baseTo';
      throw new InvalidParameterError(missing, `is required with ${missing === 'baseFrom' ? 'baseTo' : 'baseFrom'}=`);
    }
    const currentRequest = { ...common, from: query.from, to: query.to };
    const { range } = this.aggregates.window(currentRequest, CURRENT_NAMES);
    // Without a base window, compare with the window of the same length just before.
    const lengthMs = range.toMs - range.fromMs;
    const baseRequest = {
      ...common,
      from: query.baseFrom ?? String(Math.max(0, range.fromMs - lengthMs)),
      to: query.baseTo ?? String(range.fromMs),
    };
    // Both windows are checked before either is read, so every bad parameter is a 400 up front.
    this.aggregates.window(baseRequest, BASE_NAMES);
    const [base, current] = await Promise.all([
      this.aggregates.scope(baseRequest, BASE_NAMES),
      this.aggregates.scope(currentRequest, CURRENT_NAMES),
    ]);
    return [base, current];
  }
}

/** The factor that makes a side comparable: 1 / instances, and 1 / seconds for cumulative types. */
function normalisation(aggregate: StackAggregate, scope: AggregateScope): number {
  const perInstance = 1 / Math.max(1, aggregate.instances);
  if (aggregate.gauge) return perInstance;
  const spanMs = scope.profile ? scope.profile.durationMs : scope.range.toMs - scope.range.fromMs;
  // An instant profile (duration 0) has no length to divide by: it is compared as it is.
  return spanMs > 0 ? perInstance / (spanMs / 1000) : perInstance;
}

function sideView(scope: AggregateScope, aggregate: StackAggregate, scale: number): DiffSideView {
  const fromMs = scope.profile ? scope.profile.startMs : scope.range.fromMs;
  const toMs = scope.profile ? scope.profile.startMs + scope.profile.durationMs : scope.range.toMs;
  return {
    from: toRfc3339(fromMs),
    to: toRfc3339(toMs),
    fromMs,
    toMs,
    ...(scope.profile ? { profile: scope.profile.id } : {}),
    profiles: aggregate.profiles,
    instances: aggregate.instances,
    total: aggregate.total * scale,
  };
}
