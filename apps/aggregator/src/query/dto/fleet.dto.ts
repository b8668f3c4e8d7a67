import { EVENT_KINDS } from '@stackwatch/contract';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsQueryText } from './query-params';
import { ListQuery, TimeRangeQuery } from './range.dto';

export class ServicesQuery extends ListQuery {}

export class InstancesQuery extends ListQuery {
  @IsOptional()
  @IsQueryText()
  service?: string;
}

export class EventsQuery extends ListQuery {
  @IsOptional()
  @IsQueryText()
  service?: string;

  @IsOptional()
  @IsQueryText()
  instance?: string;

  @IsOptional()
  @IsIn(EVENT_KINDS)
  kind?: string;
}

export class MetricSeriesQuery extends TimeRangeQuery {
  @IsQueryText()
  service!: string;

  @IsOptional()
  @IsQueryText()
  instance?: string;

  @IsQueryText()
  name!: string;

  /** Seconds ("30", "0.5") or a duration ("30s", "5m", "1h", "1d"). */
  @IsOptional()
  @IsString()
  step?: string;
}
