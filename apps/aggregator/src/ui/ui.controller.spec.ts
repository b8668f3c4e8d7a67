import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadUiAssets } from './ui-assets';
import { UI_ASSETS, UiController } from './ui.controller';

async function serve(dir: string): Promise<{ app: INestApplication; base: string }> {
  @Module({ controllers: [UiController], providers: [{ provide: UI_ASSETS, useValue: loadUiAssets(dir) }] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}` };
}

describe('UiController', () => {
  const dist = mkdtempSync(join(tmpdir(), 'stackwatch-ui-dist-'));
  const empty = mkdtempSync(join(tmpdir(), 'stackwatch-ui-none-'));
  afterAll(() => [dist, empty].forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('serves index.html at / and the bundle under /ui/, with a same-origin content security policy', async () => {
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>stackwatch</title>');
    writeFileSync(join(dist, 'app.js'), 'console.log(1)');
    writeFileSync(join(dist, 'app.css'), 'body{}');
    const { app, base } = await serve(dist);
    try {
      const index = await fetch(`${base}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('content-security-policy')).toMatch(/^default-src 'self';/);
      expect(await index.text()).toContain('<title>stackwatch</title>');
      const script = await fetch(`${base}/ui/app.js`);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await script.text()).toBe('console.log(1)');
      expect((await fetch(`${base}/ui/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
      for (const path of ['/ui/nope.js', '/ui/..%2Fpackage.json', '/ui/index.html']) expect((await fetch(`${base}${path}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('answers 503 naming the fix when the UI was not built, the API unaffected', async () => {
    const { app, base } = await serve(empty);
    try {
      const response = await fetch(`${base}/`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toMatch(/the web UI is not built .*: run npm run build$/);
    } finally {
      await app.close();
    }
  });
});
