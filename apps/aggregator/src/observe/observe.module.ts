import { Global, Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { MetricsService } from './metrics.service';
import { ObserveController } from './observe.controller';

/** /healthz, /readyz and /metrics; MetricsService is global so every module registers its metrics. */
@Global()
@Module({
  imports: [HealthModule],
  controllers: [ObserveController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObserveModule {}
