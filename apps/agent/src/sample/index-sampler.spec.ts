import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AgentMetrics } from '../observe/agent-metrics';
import { IndexSampler } from './index-sampler';

const page = readFileSync(join(__dirname, '__fixtures__', 'pprof-index-go1.26.html'), 'utf8');

describe('IndexSampler', () => {
  let server: Server;
  let url: URL;
  let healthy = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (healthy && req.url === '/debug/pprof/') res.writeHead(200).end(page);
      else res.writeHead(500).end('boom');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const value = async (metrics: AgentMetrics, name: 'targetGoroutines' | 'targetUp' | 'sampleErrors') =>
    (await metrics[name].get()).values.find((v) => v.labels.target === url.origin)?.value;

  it('records the goroutine count and marks the target up', async () => {
    const metrics = new AgentMetrics();
    const sampler = new IndexSampler([url], 60_000, metrics, () => undefined);
    sampler.start();
    await sampler.stop();
    expect(await value(metrics, 'targetGoroutines')).toBe(3);
    expect(await value(metrics, 'targetUp')).toBe(1);
  });

  it('marks a failing target down, counts the error and logs it once per outage', async () => {
    const metrics = new AgentMetrics();
    const lines: string[] = [];
    healthy = false;
    try {
      const sampler = new IndexSampler([url], 60_000, metrics, (l) => lines.push(l));
      for (let i = 0; i < 3; i++) await sampler.sampleOnce();
      expect(await value(metrics, 'targetUp')).toBe(0);
      expect(await value(metrics, 'sampleErrors')).toBe(3);
      healthy = true;
      await sampler.sampleOnce();
    } finally {
      healthy = true;
    }
    expect(await value(metrics, 'targetUp')).toBe(1);
    expect(lines).toEqual([`target ${url.origin}: sample failed: HTTP 500`, `target ${url.origin}: answering again`]);
  });
});
