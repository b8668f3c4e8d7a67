import { PROFILE_TYPES } from '@stackwatch/contract';
import { IsIn, IsOptional } from 'class-validator';
import { IsQueryText } from './query-params';
import { ListQuery } from './range.dto';

export const TRIGGER_KINDS = ['baseline', 'rule', 'analysis'] as const;

export class ProfilesQuery extends ListQuery {
  @IsOptional()
  @IsQueryText()
  service?: string;

  @IsOptional()
  @IsQueryText()
  instance?: string;

  @IsOptional()
  @IsIn(PROFILE_TYPES)
  type?: string;

  @IsOptional()
  @IsIn(TRIGGER_KINDS)
  trigger?: string;
}
