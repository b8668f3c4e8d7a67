import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseCommandLine } from '@stackwatch/config';
import { AppModule } from '../app.module';
import { aggregatorOptions } from '../config/aggregator-config';

describe('ObserveController', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const config = parseCommandLine({ name: 'test', summary: '', version: '0' }, aggregatorOptions, [], {});
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
  });

  it('serves Prometheus text on /metrics with the aggregator prefix', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(await response.text()).toMatch(/^stackwatch_aggregator_process_resident_memory_bytes \d+/m);
  });

  it('404s unknown paths', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
