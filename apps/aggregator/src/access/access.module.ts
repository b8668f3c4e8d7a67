import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import type { AggregatorConfig } from '../config/aggregator-config';
import { AGGREGATOR_CONFIG } from '../config/config.module';
import { ApiTokenGuard } from './api-token.guard';
import { isOpenPath } from './http-credentials';

/**
 * Who may read over HTTP, and how fast: the API token guard, then a per-client-address rate limit
 * (`--api-rate-limit` requests per second, bursts up to twice that within the second; 429 with
 * Retry-After past it). Probes, /metrics and gRPC are not limited here: ingest has backpressure.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AGGREGATOR_CONFIG],
      useFactory: (config: AggregatorConfig) => ({
        throttlers: [{ ttl: 1_000, limit: Math.max(1, config.apiRateLimit * 2) }],
        skipIf: (context) =>
          config.apiRateLimit === 0 || context.getType() !== 'http' || isOpenPath(context.switchToHttp().getRequest<Request>().path),
      }),
    }),
  ],
  providers: [
    // Token first: an anonymous flood is refused without counting against a real client.
    { provide: APP_GUARD, useClass: ApiTokenGuard },
    { provide: APP_GUARD, useClass: ThrottlerGuard },
  ],
})
export class AccessModule {}
