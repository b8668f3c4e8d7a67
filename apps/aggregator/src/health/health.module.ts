import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { HealthImplementation } from 'grpc-health-check';
import { createGrpcHealth, GRPC_HEALTH, reportReadiness } from './grpc-health';
import { StoreHealthService } from './store-health.service';

/** Store readiness for /readyz and the gRPC health service. Needs PROFILE_STORE from the app module. */
@Module({
  providers: [StoreHealthService, { provide: GRPC_HEALTH, useFactory: createGrpcHealth }],
  exports: [StoreHealthService, GRPC_HEALTH],
})
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly storeHealth: StoreHealthService,
    @Inject(GRPC_HEALTH) private readonly grpcHealth: HealthImplementation,
  ) {}

  onModuleInit(): void {
    this.storeHealth.onChange((readiness) => reportReadiness(this.grpcHealth, readiness));
  }
}
