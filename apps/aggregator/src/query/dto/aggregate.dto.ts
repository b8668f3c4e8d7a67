import { PROFILE_TYPES } from '@stackwatch/contract';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsIntegerParam, IsQueryText, MAX_LIMIT } from './query-params';
import { TimeRangeQuery } from './range.dto';

/** Which samples an aggregate reads: a service (or one profile), a profile type and sample type, a range. */
export class AggregateQuery extends TimeRangeQuery {
  /** Required unless `profile` names one profile. */
  @IsOptional()
  @IsQueryText()
  service?: string;

  @IsOptional()
  @IsQueryText()
  instance?: string;

  /** Default cpu. */
  @IsOptional()
  @IsIn(PROFILE_TYPES)
  type?: string;

  /** Default: the profile type's usual one (cpu, inuse_space, goroutine, delay…). */
  @IsOptional()
  @IsQueryText()
  sampleType?: string;

  /** One profile id: the aggregate of that profile alone (its service, instance, type and time). */
  @IsOptional()
  @IsQueryText()
  profile?: string;
}

/** An aggregate shown as functions or a tree, where frames of some packages can be hidden. */
export class StackViewQuery extends AggregateQuery {
  /** Comma-separated Go packages (or `std`) whose frames are cut out, like pprof's -hide. */
  @IsOptional()
  @IsQueryText()
  hide?: string;
}

export class HotspotsQuery extends StackViewQuery {
  @IsOptional()
  @IsIn(['self', 'total'])
  order?: 'self' | 'total';

  @IsOptional()
  @IsIntegerParam(1, MAX_LIMIT)
  limit?: number;
}

export const DEFAULT_MAX_NODES = 10_000;
export const MAX_MAX_NODES = 100_000;

export class FlameGraphQuery extends StackViewQuery {
  @IsOptional()
  @IsIntegerParam(2, MAX_MAX_NODES)
  maxNodes?: number;
}

export class MergedPprofQuery extends AggregateQuery {
  /** How many profiles (newest first) are merged at most; default 100. */
  @IsOptional()
  @IsIntegerParam(1, MAX_LIMIT)
  limit?: number;
}

/** The current side is an AggregateQuery (a window, or `profile`); the base is a window or `baseProfile`. */
export class DiffQuery extends StackViewQuery {
  @IsOptional()
  @IsString()
  baseFrom?: string;

  @IsOptional()
  @IsString()
  baseTo?: string;

  /** With `profile`: compare two single profiles instead of two windows. */
  @IsOptional()
  @IsQueryText()
  baseProfile?: string;

  /** Rank by the change of `total` (cum, the default) or of `self` (flat). */
  @IsOptional()
  @IsIn(['self', 'total'])
  order?: 'self' | 'total';

  @IsOptional()
  @IsIntegerParam(1, MAX_LIMIT)
  limit?: number;
}

export class FunctionInstancesQuery extends TimeRangeQuery {
  @IsQueryText()
  service!: string;

  @IsQueryText()
  function!: string;

  @IsOptional()
  @IsQueryText()
  instance?: string;

  @IsOptional()
  @IsIn(PROFILE_TYPES)
  type?: string;

  @IsOptional()
  @IsQueryText()
  sampleType?: string;

  @IsOptional()
  @IsIntegerParam(1, MAX_LIMIT)
  limit?: number;
}

