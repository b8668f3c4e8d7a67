import { HealthImplementation } from 'grpc-health-check';
import { INGEST_SERVICE_NAME } from '@stackwatch/contract';
import type { Readiness } from './store-health.service';

/** Injection token of the grpc.health.v1 service implementation the gRPC server serves. */
export const GRPC_HEALTH = Symbol('GRPC_HEALTH');

/** '' is the whole server (what `grpc_health_probe` asks by default); the Ingest service by name. */
const SERVICES = ['', INGEST_SERVICE_NAME];

export function createGrpcHealth(): HealthImplementation {
  return new HealthImplementation(Object.fromEntries(SERVICES.map((service) => [service, 'NOT_SERVING'])));
}

/** SERVING only while the store is ready: a balancer then sends agents to aggregators that can commit. */
export function reportReadiness(health: HealthImplementation, readiness: Readiness): void {
  for (const service of SERVICES) health.setStatus(service, readiness.ready ? 'SERVING' : 'NOT_SERVING');
}
