import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Histogram } from 'prom-client';
import { finalize, type Observable } from 'rxjs';
import { MetricsService } from '../observe/metrics.service';

export const QUERY_DURATION_METRIC = 'stackwatch_aggregator_query_duration_seconds';

/**
 * Times every query endpoint, errors included, into one histogram labelled by route pattern
 * (`/api/v1/profiles/:id/pprof`, never the raw URL: ids would explode the label set).
 */
@Injectable()
export class QueryLatencyInterceptor implements NestInterceptor {
  private readonly histogram: Histogram<'endpoint'>;

  constructor(metrics: MetricsService) {
    // One registry may outlive a module (tests build several apps on one MetricsService).
    const existing = metrics.registry.getSingleMetric(QUERY_DURATION_METRIC) as Histogram<'endpoint'> | undefined;
    this.histogram =
      existing ??
      new Histogram({
        name: QUERY_DURATION_METRIC,
        help: 'Time to answer a REST query, by endpoint.',
        labelNames: ['endpoint'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [metrics.registry],
      });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const stop = this.histogram.startTimer();
    return next.handle().pipe(finalize(() => stop({ endpoint: endpointOf(request) })));
  }
}

function endpointOf(request: Request): string {
  const route = (request.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? route : 'unknown';
}
