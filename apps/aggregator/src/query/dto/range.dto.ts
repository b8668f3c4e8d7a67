import { IsOptional, IsString } from 'class-validator';
import { DEFAULT_LIMIT, IsIntegerParam, MAX_LIMIT } from './query-params';

/** `from`/`to`: parsed by resolveTimeRange (RFC 3339, unix ms, now, now-15m), default the last hour. */
export class TimeRangeQuery {
  @IsOptional()
  @IsString()
  from?: string;

  @IsOptional()
  @IsString()
  to?: string;
}

/** A time range and a `limit` (default 100, at most 10000). */
export class ListQuery extends TimeRangeQuery {
  @IsOptional()
  @IsIntegerParam(1, MAX_LIMIT)
  limit?: number;
}

export function limitOf(query: ListQuery): number {
  return query.limit ?? DEFAULT_LIMIT;
}
