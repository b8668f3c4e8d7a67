import { hostname } from 'node:os';
import { Logger, Module } from '@nestjs/common';
import { MetricsService } from '../observe/metrics.service';
import { PROFILE_STORE, type ProfileStore } from '../store/profile-store';
import { BatchWriter } from './batch-writer';
import { IngestController } from './ingest.controller';
import { IngestMetrics } from './ingest-metrics';
import { AGGREGATOR_ID, IngestService } from './ingest.service';

/** gRPC ingest: validate, convert, batch, commit through PROFILE_STORE, then ack. */
@Module({
  controllers: [IngestController],
  providers: [
    IngestService,
    { provide: IngestMetrics, useFactory: (metrics: MetricsService) => new IngestMetrics(metrics.registry), inject: [MetricsService] },
    {
      provide: BatchWriter,
      useFactory: (store: ProfileStore, metrics: IngestMetrics) => new BatchWriter(store, metrics, new Logger('BatchWriter')),
      inject: [PROFILE_STORE, IngestMetrics],
    },
    // Host and pid: unique among the aggregators of a fleet, readable in agent logs.
    { provide: AGGREGATOR_ID, useValue: `${hostname()}/${process.pid}` },
  ],
})
export class IngestModule {}
