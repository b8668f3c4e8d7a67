import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseCommandLine } from '@stackwatch/config';
import { AppModule } from '../app.module';
import { aggregatorOptions } from '../config/aggregator-config';
import { openProfileStore } from '../store/open-store';
import { PROFILE_STORE, type ProfileStore } from '../store/profile-store';

describe('ObserveController', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-observe-spec-'));
  let app: INestApplication;
  let base: string;
  /** Set to make the (real DuckDB) store's ping fail, as a store that went away would. */
  let pingFailure: Error | undefined;

  beforeAll(async () => {
    const config = parseCommandLine({ name: 'test', summary: '', version: '0' }, aggregatorOptions, ['--store', `duckdb:${join(dir, 'store.duckdb')}`], {});
    const store = await openProfileStore(config.store);
    const flaky: ProfileStore = new Proxy(store, {
      get: (target, key) => {
        if (key === 'ping') return () => (pingFailure ? Promise.reject(pingFailure) : target.ping());
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(PROFILE_STORE)
      .useValue(flaky)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
  });

  it('answers /readyz 200 while the store answers pings, 503 with the reason while it does not', async () => {
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready\n');

    pingFailure = new Error('connect ECONNREFUSED 127.0.0.1:8123');
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe('not ready: store ping failed: connect ECONNREFUSED 127.0.0.1:8123\n');
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^stackwatch_aggregator_store_ready 0$/m);

    pingFailure = undefined;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^stackwatch_aggregator_store_ready 1$/m);
  });

  it('serves Prometheus text on /metrics with the aggregator prefix, ingest metrics included', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^stackwatch_aggregator_process_resident_memory_bytes \d+/m);
    for (const name of ['messages_ingested_total', 'messages_rejected_total', 'profiles_ingested_total', 'samples_written_total', 'store_write_seconds', 'store_errors_total', 'connected_agents', 'batch_messages']) {
      expect(text).toContain(`# TYPE stackwatch_aggregator_${name} `);
    }
  });

  it('404s unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
