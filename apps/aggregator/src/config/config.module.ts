import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AggregatorConfig } from './aggregator-config';

/** Injection token of the parsed, frozen AggregatorConfig. */
export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

/**
 * The one typed configuration of the aggregator. main.ts parses and validates the command line,
 * env vars and config file once (libs/config) and hands the frozen result here; providers
 * inject it with @Inject(AGGREGATOR_CONFIG) and never read process.env.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AggregatorConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AGGREGATOR_CONFIG, useValue: config }],
      exports: [AGGREGATOR_CONFIG],
    };
  }
}
