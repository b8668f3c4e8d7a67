import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { AggregatorConfig } from '../config/aggregator-config';
import { AGGREGATOR_CONFIG } from '../config/config.module';
import { MetricsService } from '../observe/metrics.service';
import { PROFILE_STORE, type ProfileStore } from '../store/profile-store';

/** Partitions are whole days: checking every hour drops a day at most an hour after it expires. */
export const RETENTION_CHECK_MS = 60 * 60 * 1000;

/**
 * Applies --retention: at start and every hour, every day partition older than the retention is
 * dropped (the store drops whole partitions; ClickHouse 18.16 has no TTL). Several aggregators on
 * one store may all do it: dropping a dropped day is a no-op. A failure is logged and retried at
 * the next check.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly dropped: Counter;

  constructor(
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    metrics: MetricsService,
  ) {
    this.dropped = new Counter({
      name: 'stackwatch_aggregator_retention_days_dropped_total',
      help: 'Day partitions dropped because they were older than --retention',
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    void this.enforce();
    this.timer = setInterval(() => void this.enforce(), RETENTION_CHECK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Drops what is older than the retention, now; resolves with the days dropped. */
  async enforce(nowMs = Date.now()): Promise<readonly string[]> {
    const work = this.store.dropBefore(nowMs - this.config.retention);
    this.running = work.then(
      () => undefined,
      () => undefined,
    );
    try {
      const days = await work;
      if (days.length > 0) {
        this.dropped.inc(days.length);
        process.stderr.write(`stackwatch-aggregator: retention: dropped ${days.length} day(s) older than the retention: ${days.join(', ')}\n`);
      }
      return days;
    } catch (err) {
      process.stderr.write(`stackwatch-aggregator: retention: dropping old days failed (retried in an hour): ${(err as Error).message}\n`);
      return [];
    }
  }
}
