import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsService } from '../../observe/metrics.service';
import { PROFILE_STORE, type ProfileStore } from '../../store/profile-store';
import type { QueryOptions } from '../query-options';
import { QueryModule } from '../query.module';

/** A running Nest app serving the query API over a given store, on a free port. */
export interface QueryTestApp {
  readonly app: INestApplication;
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** GET base + path; resolves with status and parsed JSON (or text when not JSON). */
  get(path: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** The Prometheus text of the app's MetricsService registry. */
  metricsText(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires the query module the way the application will: PROFILE_STORE and MetricsService from a
 * global module. The caller owns the store (opens and closes it).
 */
export async function startQueryApp(store: ProfileStore, options: Partial<QueryOptions> = {}): Promise<QueryTestApp> {
  @Global()
  @Module({ providers: [{ provide: PROFILE_STORE, useValue: store }, MetricsService], exports: [PROFILE_STORE, MetricsService] })
  class TestStoreModule {}

  @Module({ imports: [TestStoreModule, QueryModule.forRoot(options)] })
  class TestQueryAppModule {}

  const app = await NestFactory.create(TestQueryAppModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  return {
    app,
    base,
    async get(path) {
      const response = await fetch(base + path, { signal: AbortSignal.timeout(60_000) });
      const text = await response.text();
      let body: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('application/json')) body = JSON.parse(text);
      return { status: response.status, body, headers: response.headers };
    },
    metricsText: () => app.get(MetricsService).registry.metrics(),
    close: () => app.close(),
  };
}

const STORE_METHODS: ReadonlySet<string> = new Set([
  'init', 'ping', 'write', 'dropBefore', 'services', 'instances', 'events', 'profiles', 'profile',
  'stackTotals', 'instanceTotals', 'stacksContaining', 'metricSeries', 'close',
]);

/** A store every call of which fails the test: proves a request was refused before any read. */
export function unreachableStore(): ProfileStore {
  // Only the port's methods fail: Nest probes providers for `then` and lifecycle hooks.
  return new Proxy({} as ProfileStore, {
    get: (_target, method) =>
      typeof method === 'string' && STORE_METHODS.has(method)
        ? () => {
            throw new Error(`the store must not be reached (${method} called)`);
          }
        : undefined,
  });
}
