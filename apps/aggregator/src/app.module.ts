import { type DynamicModule, Module } from '@nestjs/common';
import type { AggregatorConfig } from './config/aggregator-config';
import { ConfigModule } from './config/config.module';
import { ObserveModule } from './observe/observe.module';

@Module({})
export class AppModule {
  static forRoot(config: AggregatorConfig): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(config), ObserveModule] };
  }
}
