import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseCommandLine } from '@stackwatch/config';
import { aggregatorOptions } from '../config/aggregator-config';
import { ConfigModule } from '../config/config.module';
import { AccessModule } from './access.module';
import { ApiTokenGuard } from './api-token.guard';
import { offeredTokens } from './http-credentials';

// Stand-ins for the API and the probes: what is guarded is the path, not the handler.
@Controller()
class RoutesUnderTest {
  @Get('api/v1/services') services() {
    return [];
  }
  @Get('healthz') healthz() {
    return 'ok';
  }
  @Get('metrics') metrics() {
    return '';
  }
}

async function start(flags: string[]): Promise<{ app: INestApplication; get: (path: string, headers?: Record<string, string>) => Promise<Response> }> {
  const config = parseCommandLine({ name: 'test', summary: '', version: '0' }, aggregatorOptions, flags, {});
  @Module({ imports: [ConfigModule.forRoot(config), AccessModule], controllers: [RoutesUnderTest] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  return { app, get: (path, headers = {}) => fetch(base + path, { headers, signal: AbortSignal.timeout(10_000) }) };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('HTTP access: --api-token', () => {
  let api: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    api = await start(['--api-token', 's3cret-token', '--api-rate-limit', '0']);
  });
  afterAll(() => api.app.close());

  it('refuses the API without the token, saying how to give it', async () => {
    const response = await api.get('/api/v1/services');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="stackwatch", Basic realm="stackwatch"');
    expect(((await response.json()) as { message: string }).message).toBe('this aggregator requires its API token (Authorization: Bearer TOKEN)');
  });

  it.each([
    ['a wrong bearer token', { authorization: 'Bearer s3cret-tokeN' }],
    ['a token prefix', { authorization: 'Bearer s3cret' }],
    ['an empty password', { authorization: basic('s3cret-token', '') }],
    ['another scheme', { authorization: 'Token s3cret-token' }],
  ])('refuses %s', async (_what, headers) => {
    const response = await api.get('/api/v1/services', headers);
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('s3cret');
  });

  it.each([
    ['Bearer', { authorization: 'Bearer s3cret-token' }],
    ['basic auth with the token as password (go tool pprof http://:TOKEN@host/…)', { authorization: basic('', 's3cret-token') }],
    ['basic auth with any user', { authorization: basic('alice', 's3cret-token') }],
  ])('lets in %s', async (_what, headers) => {
    expect((await api.get('/api/v1/services', headers)).status).toBe(200);
  });

  it('leaves the probes and /metrics open', async () => {
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get('/metrics')).status).toBe(200);
  });

  it('does not apply to gRPC calls (the ingest stream checks --token itself)', () => {
    const guard = new ApiTokenGuard(parseCommandLine({ name: 'test', summary: '', version: '0' }, aggregatorOptions, ['--api-token', 'x'], {}));
    expect(guard.canActivate({ getType: () => 'rpc' } as never)).toBe(true);
  });
});

describe('HTTP access: --api-rate-limit', () => {
  it('answers 429 with Retry-After past twice the per-second limit, keeps the probes free, and is off at 0', async () => {
    const limited = await start(['--api-rate-limit', '5']);
    try {
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await limited.get('/api/v1/services')).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const refused = await limited.get('/api/v1/services');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 20; i++) expect((await limited.get('/healthz')).status).toBe(200);
    } finally {
      await limited.app.close();
    }
    const open = await start(['--api-rate-limit', '0']);
    try {
      for (let i = 0; i < 50; i++) expect((await open.get('/api/v1/services')).status).toBe(200);
    } finally {
      await open.app.close();
    }
  });
});

describe('offeredTokens', () => {
  it('reads Bearer and the password of basic auth, nothing else', () => {
    expect(offeredTokens(undefined)).toEqual([]);
    expect(offeredTokens('Bearer  abc ')).toEqual(['abc']);
    expect(offeredTokens(basic('u', 'p:q'))).toEqual(['p:q']);
    expect(offeredTokens('Basic bm9jb2xvbg==')).toEqual([]); // "nocolon"
    expect(offeredTokens('Digest x')).toEqual([]);
  });
});
