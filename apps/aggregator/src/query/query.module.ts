import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AnalysisController } from './analysis.controller';
import { DiffService } from './diff.service';
import { FleetController } from './fleet.controller';
import { FleetService } from './fleet.service';
import { HotspotsService } from './hotspots.service';
import { ProfilesController } from './profiles.controller';
import { ProfilesService } from './profiles.service';
import { QUERY_OPTIONS, resolveQueryOptions, type QueryOptions } from './query-options';
import { QueryLatencyInterceptor } from './query-latency.interceptor';
import { StackAggregateService } from './stack-aggregate.service';
import { StoreNotOpenFilter } from './store-not-open.filter';

/**
 * The fleet query REST API under /api/v1. It needs two providers from the application, both
 * global there: PROFILE_STORE (the configured ProfileStore) and MetricsService (ObserveModule).
 * `maxRangeMs` should be the retention: older data is gone, so a longer range is refused.
 */
@Module({})
export class QueryModule {
  static forRoot(options: Partial<QueryOptions> = {}): DynamicModule {
    return {
      module: QueryModule,
      controllers: [FleetController, ProfilesController, AnalysisController],
      providers: [
        { provide: QUERY_OPTIONS, useValue: resolveQueryOptions(options) },
        { provide: APP_FILTER, useClass: StoreNotOpenFilter },
        QueryLatencyInterceptor,
        StackAggregateService,
        HotspotsService,
        DiffService,
        ProfilesService,
        FleetService,
      ],
    };
  }
}
