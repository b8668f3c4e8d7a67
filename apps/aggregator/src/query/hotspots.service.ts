import { Inject, Injectable } from '@nestjs/common';
import { PROFILE_STORE, type ProfileStore } from '../store/profile-store';
import { DEFAULT_MAX_NODES, type FlameGraphQuery, type FunctionInstancesQuery, type HotspotsQuery } from './dto/aggregate.dto';
import { DEFAULT_LIMIT } from './dto/query-params';
import { flameTree, type FlameTreeNode } from './flame-tree';
import { hideFrames, parseHidden } from './hidden-frames';
import { rankFunctions, type FunctionTotal } from './function-totals';
import { StackAggregateService, type StackAggregate } from './stack-aggregate.service';

export interface HotspotsView {
  readonly service: string;
  readonly type: string;
  readonly sampleType: string;
  readonly unit: string;
  /** "sum" for cumulative types, "instance-average" for gauges (averaged per instance, summed over instances). */
  readonly aggregation: 'sum' | 'instance-average';
  readonly total: number;
  readonly profiles: number;
  readonly instances: number;
  /** More distinct stacks matched than the server reads: functions come from the largest. */
  readonly truncated: boolean;
  readonly functions: readonly FunctionTotal[];
}

export interface FlameGraphView extends FlameTreeNode {
  readonly sampleType: string;
  readonly unit: string;
  readonly profiles: number;
  readonly instances: number;
}

export interface FunctionInstanceView {
  readonly service: string;
  readonly instance: string;
  /** Value of the instance's stacks containing the function (per profile for gauges). */
  readonly value: number;
  readonly profiles: number;
}

// Stack hashes per instanceTotals call: keeps each SQL statement far below ClickHouse 18.16's
// 256 KiB max_query_size even for functions (runtime.main) that sit in every stack.
const HASHES_PER_QUERY = 2_000;

/** Hotspots, flame graphs and "who runs this function", from stack aggregates. */
@Injectable()
export class HotspotsService {
  constructor(
    private readonly aggregates: StackAggregateService,
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
  ) {}

  async hotspots(query: HotspotsQuery): Promise<HotspotsView> {
    const hidden = parseHidden(query.hide);
    const aggregate = await this.aggregates.aggregate(await this.aggregates.scope(query), query.sampleType);
    return {
      ...summary(aggregate),
      functions: rankFunctions(hideFrames(aggregate.stacks, hidden), query.order ?? 'self', query.limit ?? DEFAULT_LIMIT),
    };
  }

  async flameGraph(query: FlameGraphQuery): Promise<FlameGraphView> {
    const hidden = parseHidden(query.hide);
    // A flame graph shows no instance counts: the store may skip counting them.
    const aggregate = await this.aggregates.aggregate(await this.aggregates.scope(query), query.sampleType, undefined, { countInstances: false });
    const tree = flameTree(hideFrames(aggregate.stacks, hidden), query.maxNodes ?? DEFAULT_MAX_NODES);
    return { ...tree, sampleType: aggregate.sampleType, unit: aggregate.unit, profiles: aggregate.profiles, instances: aggregate.instances };
  }

  /** Instances ranked by the value of the stacks that contain `function`. */
  async functionInstances(query: FunctionInstancesQuery): Promise<FunctionInstanceView[]> {
    const scope = await this.aggregates.scope(query);
    if (scope.sampleTypes.length === 0) return [];
    const { sampleType, gauge } = this.aggregates.sampleTypeOf(scope, query.sampleType);
    const hashes = await this.store.stacksContaining(scope.service, query.function, scope.range);
    if (hashes.length === 0) return [];
    const filter = this.aggregates.sampleFilter(scope, sampleType);
    // Profile counts from all of an instance's stacks: a gauge is averaged over every profile of
    // the instance, including those where the function did not show.
    const profilesOf = new Map((await this.store.instanceTotals(filter)).map((row) => [row.instance, row.profiles]));
    const valueOf = new Map<string, number>();
    for (let i = 0; i < hashes.length; i += HASHES_PER_QUERY) {
      for (const row of await this.store.instanceTotals(filter, hashes.slice(i, i + HASHES_PER_QUERY))) {
        valueOf.set(row.instance, (valueOf.get(row.instance) ?? 0) + row.value);
      }
    }
    return [...valueOf]
      .map(([instance, value]) => {
        const profiles = profilesOf.get(instance) ?? 0;
        return { service: scope.service, instance, value: gauge ? value / Math.max(1, profiles) : value, profiles };
      })
      .filter((row) => row.value !== 0)
      .sort((a, b) => b.value - a.value || (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0))
      .slice(0, query.limit ?? DEFAULT_LIMIT);
  }
}

function summary(aggregate: StackAggregate): Omit<HotspotsView, 'functions'> {
  return {
    service: aggregate.service,
    type: aggregate.profileType,
    sampleType: aggregate.sampleType,
    unit: aggregate.unit,
    aggregation: aggregate.gauge ? 'instance-average' : 'sum',
    total: aggregate.total,
    profiles: aggregate.profiles,
    instances: aggregate.instances,
    truncated: aggregate.truncated,
  };
}
