import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { ObserveController } from './observe.controller';

@Global()
@Module({
  controllers: [ObserveController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObserveModule {}
