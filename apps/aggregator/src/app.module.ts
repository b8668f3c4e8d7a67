import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import type { AggregatorConfig } from './config/aggregator-config';
import { AGGREGATOR_CONFIG, ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { ObserveModule } from './observe/observe.module';
import { QueryModule } from './query/query.module';
import { RetentionModule } from './retention/retention.module';
import { DeferredStore } from './store/deferred-store';
import { openProfileStore } from './store/open-store';
import { PROFILE_STORE } from './store/profile-store';
import { UiModule } from './ui/ui.module';

/**
 * The one place the store adapter is chosen: --store names DuckDB or ClickHouse, and everything
 * else sees only the ProfileStore port. openProfileStore applies the schema (for ClickHouse in the
 * background, until the server answers); StoreHealthService watches the store and closes it last.
 */
@Global()
@Module({})
class StoreModule {
  static forRoot(): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        {
          provide: PROFILE_STORE,
          useFactory: async (config: AggregatorConfig) => {
            const open = () =>
              openProfileStore(config.store, {
                ...(config.clickhouseCluster !== undefined ? { cluster: config.clickhouseCluster } : {}),
                replicated: config.clickhouseReplicated,
              });
            // A ClickHouse that is not up yet is waited for (not ready meanwhile); a DuckDB file
            // that cannot be opened will not open later: that fails the start.
            if (config.store.kind === 'duckdb') return open();
            return new DeferredStore(open, { log: (line) => process.stderr.write(`stackwatch-aggregator: ${line}\n`) });
          },
          inject: [AGGREGATOR_CONFIG],
        },
      ],
      exports: [PROFILE_STORE],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AggregatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        AccessModule,
        StoreModule.forRoot(),
        ObserveModule,
        HealthModule,
        IngestModule,
        QueryModule.forRoot({ maxRangeMs: config.retention }),
        RetentionModule,
        UiModule,
      ],
    };
  }
}
