import { status } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Welcome } from '@stackwatch/contract';
import { AGGREGATOR_CONFIG } from '../config/config.module';
import type { AggregatorConfig } from '../config/aggregator-config';
import { BatchWriter } from './batch-writer';
import { INGEST_LIMITS } from './ingest-limits';
import { IngestMetrics } from './ingest-metrics';
import { IngestStream, type IngestCall, type StreamContext } from './ingest-stream';

/** Injection token of this process's aggregator id, announced in every Welcome. */
export const AGGREGATOR_ID = Symbol('AGGREGATOR_ID');

/** How long shutdown waits for the store to commit what is queued, so its acks go out. */
export const SHUTDOWN_FLUSH_MS = 10_000;

/**
 * Serves every ingest stream: one IngestStream per call, all feeding the one BatchWriter.
 * At shutdown (before the gRPC server closes) it stops reading, commits and acks what is queued,
 * then ends each stream UNAVAILABLE so agents reconnect to another aggregator.
 */
@Injectable()
export class IngestService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private readonly streams = new Set<IngestStream>();
  private readonly context: StreamContext;
  private stopping = false;

  constructor(
    private readonly writer: BatchWriter,
    metrics: IngestMetrics,
    @Inject(AGGREGATOR_CONFIG) config: AggregatorConfig,
    @Inject(AGGREGATOR_ID) aggregatorId: string,
  ) {
    const welcome: Required<Welcome> = { aggregator_id: aggregatorId, max_message_bytes: INGEST_LIMITS.maxMessageBytes };
    const retentionMs = config.retention;
    this.context = { writer, metrics, logger: this.logger, welcome, token: config.token, window: () => ({ nowMs: Date.now(), retentionMs }) };
  }

  /** Takes over one `Ingest.Stream` call; returns at once. */
  open(call: IngestCall): void {
    if (this.stopping) {
      call.emit('error', Object.assign(new Error('the aggregator is stopping'), { code: status.UNAVAILABLE, details: 'the aggregator is stopping' }));
      return;
    }
    const stream = new IngestStream(call, this.context);
    this.streams.add(stream);
    void stream.closed.then(() => this.streams.delete(stream));
    stream.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const stream of this.streams) stream.stopReading();
    await this.writer.close(SHUTDOWN_FLUSH_MS);
    // The acks of the last commit were queued before close() resolved, so they are written by now.
    for (const stream of [...this.streams]) stream.end('the aggregator is stopping');
  }
}
