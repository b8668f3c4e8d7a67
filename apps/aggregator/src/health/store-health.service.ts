import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../observe/metrics.service';
import { PROFILE_STORE, type ProfileStore } from '../store/profile-store';

export interface Readiness {
  readonly ready: boolean;
  /** Why not, when not ready. */
  readonly reason?: string;
}

/** How often the store is pinged. */
export const STORE_CHECK_INTERVAL_MS = 1_000;
/** A ping slower than this counts as a failure: a hung store is not a ready one. */
export const STORE_PING_TIMEOUT_MS = 2_000;

/**
 * Whether the store can take writes: pings it every second (openProfileStore already applied the
 * schema), tells listeners (the gRPC health service) when that flips, and closes the store last
 * at shutdown, after ingest has flushed its acks.
 */
@Injectable()
export class StoreHealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StoreHealth');
  private state: Readiness = { ready: false, reason: 'the store was not checked yet' };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking: Promise<Readiness> | undefined;
  private readonly listeners = new Set<(readiness: Readiness) => void>();
  private readonly gauge: Gauge;

  constructor(
    @Inject(PROFILE_STORE) private readonly store: ProfileStore,
    metrics: MetricsService,
  ) {
    this.gauge = new Gauge({ name: 'stackwatch_aggregator_store_ready', help: '1 while the store answers pings, else 0.', registers: [metrics.registry] });
    this.gauge.set(0);
  }

  onApplicationBootstrap(): void {
    void this.loop();
  }

  /** The state from the last check. */
  get readiness(): Readiness {
    return this.state;
  }

  /** Checks now (bounded by STORE_PING_TIMEOUT_MS); concurrent callers share one check. */
  check(): Promise<Readiness> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** Called with the new state whenever readiness flips, and once at once with the current one. */
  onChange(listener: (readiness: Readiness) => void): void {
    this.listeners.add(listener);
    listener(this.state);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.stopped = true;
    this.update({ ready: false, reason: 'the aggregator is stopping' });
    await this.store.close();
  }

  private async loop(): Promise<void> {
    await this.check();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), STORE_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  private async checkOnce(): Promise<Readiness> {
    try {
      await withTimeout(this.store.ping(), STORE_PING_TIMEOUT_MS, 'the store did not answer a ping');
      this.update({ ready: true });
    } catch (err) {
      this.update({ ready: false, reason: `store ping failed: ${(err as Error).message}` });
    }
    return this.state;
  }

  private update(next: Readiness): void {
    // A check still in flight at shutdown must not report ready again.
    if (this.stopped && next.ready) return;
    const changed = next.ready !== this.state.ready || next.reason !== this.state.reason;
    const flipped = next.ready !== this.state.ready;
    this.state = next;
    if (!changed) return;
    this.gauge.set(next.ready ? 1 : 0);
    // One line per distinct state: a long outage repeats the same reason every second.
    if (next.ready) this.logger.log('store ready');
    else if (!this.stopped) this.logger.warn(`not ready: ${next.reason}`);
    if (flipped) for (const listener of this.listeners) listener(next);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
