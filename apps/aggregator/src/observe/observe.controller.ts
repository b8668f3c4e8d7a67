import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';

@Controller()
export class ObserveController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('healthz')
  @Header('content-type', 'text/plain')
  healthz(): string {
    return 'ok\n';
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
