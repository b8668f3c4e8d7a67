import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { StoreHealthService } from '../health/store-health.service';
import { MetricsService } from './metrics.service';

@Controller()
export class ObserveController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly storeHealth: StoreHealthService,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @Header('content-type', 'text/plain')
  healthz(): string {
    return 'ok\n';
  }

  /** Readiness: the store answers a ping now; 503 with the reason when it does not. */
  @Get('readyz')
  async readyz(@Res() res: Response): Promise<void> {
    const readiness = await this.storeHealth.check();
    res
      .status(readiness.ready ? 200 : 503)
      .type('text/plain')
      .send(readiness.ready ? 'ready\n' : `not ready: ${readiness.reason ?? 'unknown'}\n`);
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
