import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * A metric already registered under this name is reused: a spool reopened or a shipper rebuilt
 * in the same process (after a reconnect to another aggregator, or in tests) keeps counting in
 * the same series instead of failing on a duplicate registration.
 */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The spool's own series. */
export class SpoolMetrics {
  readonly bytes: Gauge;
  readonly dropped: Counter;

  constructor(registry: Registry) {
    this.bytes = reuse(registry, 'stackwatch_spool_bytes', () =>
      new Gauge({
        name: 'stackwatch_spool_bytes',
        help: 'Bytes held in the disk spool, waiting for an ack from the aggregator.',
        registers: [registry],
      }),
    );
    this.dropped = reuse(registry, 'stackwatch_spool_dropped_total', () =>
      new Counter({
        name: 'stackwatch_spool_dropped_total',
        help: 'Messages dropped unsent because the spool was full (oldest first).',
        registers: [registry],
      }),
    );
  }
}

/** The shipper's series: delivery, rejection and connection state. */
export class ShipperMetrics {
  readonly latency: Histogram<'kind'>;
  readonly sent: Counter<'kind'>;
  readonly acked: Counter<'kind'>;
  readonly rejected: Counter<'kind' | 'reason'>;
  readonly connected: Gauge;
  readonly reconnects: Counter;

  constructor(registry: Registry) {
    this.latency = reuse(registry, 'stackwatch_send_latency_seconds', () =>
      new Histogram({
        name: 'stackwatch_send_latency_seconds',
        help: 'From writing a message to the stream to its ack or reject: how long the aggregator takes to commit.',
        labelNames: ['kind'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    );
    this.sent = reuse(registry, 'stackwatch_messages_sent_total', () =>
      new Counter({
        name: 'stackwatch_messages_sent_total',
        help: 'Messages written to the aggregator stream, re-sends included (a chunked profile counts once).',
        labelNames: ['kind'],
        registers: [registry],
      }),
    );
    this.acked = reuse(registry, 'stackwatch_messages_acked_total', () =>
      new Counter({
        name: 'stackwatch_messages_acked_total',
        help: 'Messages the aggregator acknowledged as stored.',
        labelNames: ['kind'],
        registers: [registry],
      }),
    );
    this.rejected = reuse(registry, 'stackwatch_messages_rejected_total', () =>
      new Counter({
        name: 'stackwatch_messages_rejected_total',
        help: 'Messages the aggregator rejected for good (dropped from the spool).',
        labelNames: ['kind', 'reason'],
        registers: [registry],
      }),
    );
    this.connected = reuse(registry, 'stackwatch_aggregator_connected', () =>
      new Gauge({
        name: 'stackwatch_aggregator_connected',
        help: '1 while a stream to the aggregator is open and welcomed, else 0.',
        registers: [registry],
      }),
    );
    this.reconnects = reuse(registry, 'stackwatch_aggregator_reconnects_total', () =>
      new Counter({
        name: 'stackwatch_aggregator_reconnects_total',
        help: 'Streams to the aggregator that ended or failed and were retried.',
        registers: [registry],
      }),
    );
  }
}
