import { Module } from '@nestjs/common';
import { RetentionService } from './retention.service';

/** --retention, applied to the global PROFILE_STORE. */
@Module({ providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
