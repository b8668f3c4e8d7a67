import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The ingest path's Prometheus metrics (prefix stackwatch_aggregator_), registered on the app's registry. */
export class IngestMetrics {
  /** Messages committed for the first time, by kind (target_status, metrics, profile, event). */
  readonly ingested: Counter<'kind'>;
  /** Messages acknowledged because their id was already stored (a re-send). */
  readonly duplicates: Counter<'kind'>;
  readonly rejected: Counter<'kind' | 'reason'>;
  readonly profiles: Counter<'type'>;
  readonly samples: Counter;
  readonly writeSeconds: Histogram;
  readonly storeErrors: Counter;
  /** Messages per store write. */
  readonly batchMessages: Histogram;
  /** Accepted messages waiting for their commit. */
  readonly queuedMessages: Gauge;
  /** Streams past their Hello: one per connected agent. */
  readonly connectedAgents: Gauge;
  /** Streams ended by the aggregator with an error status, by gRPC code name. */
  readonly streamsFailed: Counter<'code'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ingested = new Counter({ name: 'stackwatch_aggregator_messages_ingested_total', help: 'Agent messages committed to the store, by kind.', labelNames: ['kind'], registers });
    this.duplicates = new Counter({
      name: 'stackwatch_aggregator_messages_duplicate_total',
      help: 'Agent messages acknowledged without writing because their id was already stored.',
      labelNames: ['kind'],
      registers,
    });
    this.rejected = new Counter({ name: 'stackwatch_aggregator_messages_rejected_total', help: 'Agent messages rejected, by kind and reason.', labelNames: ['kind', 'reason'], registers });
    this.profiles = new Counter({ name: 'stackwatch_aggregator_profiles_ingested_total', help: 'Profiles committed to the store, by type.', labelNames: ['type'], registers });
    this.samples = new Counter({ name: 'stackwatch_aggregator_samples_written_total', help: 'Profile sample rows committed to the store.', registers });
    this.writeSeconds = new Histogram({
      name: 'stackwatch_aggregator_store_write_seconds',
      help: 'Latency of one store write (a batch), successful or not.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.storeErrors = new Counter({ name: 'stackwatch_aggregator_store_errors_total', help: 'Store writes that failed (and are retried).', registers });
    this.batchMessages = new Histogram({
      name: 'stackwatch_aggregator_batch_messages',
      help: 'Agent messages per store write.',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    });
    this.queuedMessages = new Gauge({ name: 'stackwatch_aggregator_ingest_queue_messages', help: 'Accepted agent messages waiting for their commit.', registers });
    this.connectedAgents = new Gauge({ name: 'stackwatch_aggregator_connected_agents', help: 'Open ingest streams past their hello.', registers });
    this.streamsFailed = new Counter({
      name: 'stackwatch_aggregator_streams_failed_total',
      help: 'Ingest streams the aggregator ended with an error status, by gRPC code.',
      labelNames: ['code'],
      registers,
    });
  }
}
