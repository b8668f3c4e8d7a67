// Stateless aggregators on a real (private) ClickHouse, fed by the agent's real shipper: a stream
// moved from one aggregator process to another mid-way, and ClickHouse itself going down and
// coming back. Every message must end up stored exactly once, counted in ClickHouse's own rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { AgentMessage, Target } from '@stackwatch/contract';
import { startApp, startClickHouse, waitFor, type AppProcess, type ClickHouseServer } from '@stackwatch/testing';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Registry } from 'prom-client';
import { Shipper, Spool } from '../../../apps/agent/src/ship';

const TOKEN = 'fleet-token';

/** Sum of the samples of a Prometheus text series whose line starts with `prefix` (0 when absent). */
async function metricSum(url: string, prefix: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function registryValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  return metric ? (await metric.get()).values.reduce((sum, v) => sum + v.value, 0) : 0;
}

interface HealthClient {
  Check(request: { service: string }, options: { deadline: number }, callback: (err: Error | null, response?: { status: string }) => void): void;
  close(): void;
}

/** What the aggregator's grpc.health.v1 service says about the Ingest service. */
async function grpcHealth(port: number): Promise<string> {
  const definition = loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const { Health } = (loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: new (address: string, creds: unknown) => HealthClient } } } }).grpc.health.v1;
  const client = new Health(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.Check({ service: 'stackwatch.v1.Ingest' }, { deadline: Date.now() + 5_000 }, (err, response) => (err ? reject(err) : resolve(response!.status))),
    );
  } finally {
    client.close();
  }
}

/**
 * A TCP proxy between the agent and an aggregator: it can hold back what the aggregator sends
 * (its acks pile up unread while it keeps committing what it receives) and switch to another
 * aggregator, cutting the open connections as a network failure or a load balancer would.
 */
class SwitchingProxy {
  private readonly pairs = new Set<{ agent: Socket; upstream: Socket }>();
  private server: Server | undefined;
  port = 0;

  constructor(private upstreamPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((agent) => {
      const upstream = connect(this.upstreamPort, '127.0.0.1');
      const pair = { agent, upstream };
      this.pairs.add(pair);
      agent.pipe(upstream);
      upstream.pipe(agent);
      const drop = () => {
        this.pairs.delete(pair);
        agent.destroy();
        upstream.destroy();
      };
      agent.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The aggregator's answers stop reaching the agent; what the agent sends still arrives. */
  holdAnswers(): void {
    for (const { upstream } of this.pairs) {
      upstream.unpipe();
      upstream.pause();
    }
  }

  /** New connections go to `port`; the open ones are cut. */
  switchTo(port: number): void {
    this.upstreamPort = port;
    for (const { agent, upstream } of this.pairs) {
      agent.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  async stop(): Promise<void> {
    this.switchTo(this.upstreamPort);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('aggregators on ClickHouse (real processes, agent shipper)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-ingest-fleet-'));
  let clickhouse: ClickHouseServer;
  const cleanups: (() => Promise<unknown>)[] = [];
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);

  beforeAll(async () => {
    clickhouse = await startClickHouse();
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await clickhouse?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function aggregator(database: string): Promise<{ process: AppProcess; grpcPort: number; http: string }> {
    const process = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `clickhouse://127.0.0.1:${clickhouse.httpPort}/${database}`, '--token', TOKEN],
      /HTTP on (http:\/\/\S+)/,
    );
    cleanups.push(() => process.stop());
    return { process, grpcPort: Number(/gRPC on 127\.0\.0\.1:(\d+)/.exec(process.logs())![1]), http: process.ready[1] };
  }

  async function shipper(name: string, address: string): Promise<{ shipper: Shipper; spool: Spool; registry: Registry }> {
    const registry = new Registry();
    const log = () => undefined;
    const spool = await Spool.open(join(dir, name), { maxBytes: 64 * 1024 * 1024, registry, log });
    const created = new Shipper({ address, token: TOKEN, agentId: name, version: '0.1.0', spool, registry, log, backoff: { initialMs: 50, maxMs: 500 } });
    created.start();
    cleanups.push(async () => {
      await created.stop({ deadlineMs: 0 });
      await spool.close();
    });
    return { shipper: created, spool, registry };
  }

  const target = (service: string): Target => ({ service, instance: 'pod-1', labels: {}, pid: 1, go_version: 'go1.26.8', url: 'http://127.0.0.1:6060/' });
  const event = (service: string, i: number): AgentMessage => ({
    event: { id: `${service}-${i}`, kind: 'cpu', target: target(service), time_unix_ms: now + i, value: i, average: 1, threshold: 1, reason: 'test', profile_ids: [], findings: [] },
  });

  /** Raw rows (no FINAL, no merge): a message stored twice would show as two. */
  async function eventRows(database: string, service: string): Promise<{ rows: number; ids: number }> {
    const text = await clickhouse.query(
      `SELECT count(), uniqExact(id) FROM ${database}.events WHERE date >= toDate('${today}') - 1 AND date <= toDate('${today}') + 1 AND service = '${service}' FORMAT TSV`,
    );
    const [rows, ids] = text.trim().split('\t').map(Number);
    return { rows, ids };
  }

  async function ledgerRows(database: string): Promise<number> {
    return Number((await clickhouse.query(`SELECT count() FROM ${database}.ingested WHERE date >= toDate('${today}') - 1 AND date <= toDate('${today}') + 1`)).trim());
  }

  it('stores every message once when a stream moves to another aggregator mid-way, with acks lost on the way', async () => {
    const a = await aggregator('fleet');
    const b = await aggregator('fleet');
    const proxy = new SwitchingProxy(a.grpcPort);
    await proxy.start();
    cleanups.push(() => proxy.stop());
    const { shipper: agent, spool, registry } = await shipper('moved', `127.0.0.1:${proxy.port}`);
    const ingested = (http: string) => metricSum(`${http}/metrics`, 'stackwatch_aggregator_messages_ingested_total{kind="event"}');

    // A first third through aggregator A, acknowledged.
    for (let i = 0; i < 100; i++) await agent.send(event('moved', i));
    await waitFor('A to ack the first 100', () => spool.size() === 0, { timeoutMs: 30_000 });

    // The next ones reach A and are committed there, but their acks never reach the agent.
    proxy.holdAnswers();
    for (let i = 100; i < 200; i++) await agent.send(event('moved', i));
    // The agent stops at its in-flight window; wait until A has committed all it was sent.
    await waitFor(
      'A to commit everything the agent sent it',
      async () => (await ingested(a.http)) === (await registryValue(registry, 'stackwatch_messages_sent_total')),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const committedByA = await ingested(a.http);
    expect(committedByA).toBeGreaterThan(100);
    expect(spool.size()).toBe(100);

    // Cut: the agent reconnects through the proxy to B and re-sends all 100 unacked messages.
    proxy.switchTo(b.grpcPort);
    for (let i = 200; i < 300; i++) await agent.send(event('moved', i));
    await waitFor('every message to be acked', () => spool.size() === 0, { timeoutMs: 60_000 });

    expect(await metricSum(`${b.http}/metrics`, 'stackwatch_aggregator_messages_duplicate_total{kind="event"}')).toBe(committedByA - 100);
    expect((await ingested(a.http)) + (await ingested(b.http))).toBe(300);
    expect(await eventRows('fleet', 'moved')).toEqual({ rows: 300, ids: 300 });
    expect(await ledgerRows('fleet')).toBe(300);
    await Promise.all([a.process.stop(), b.process.stop()]);
  });

  it('keeps messages unacknowledged while ClickHouse is down, reports not ready, and stores each once when it is back', async () => {
    const c = await aggregator('outage');
    const { shipper: agent, spool, registry } = await shipper('outage', `127.0.0.1:${c.grpcPort}`);
    const readyz = async () => {
      const response = await fetch(`${c.http}/readyz`);
      return { status: response.status, text: await response.text() };
    };
    for (let i = 0; i < 50; i++) await agent.send(event('outage', i));
    await waitFor('the first 50 to be acked', () => spool.size() === 0, { timeoutMs: 30_000 });
    expect((await readyz()).status).toBe(200);
    expect(await grpcHealth(c.grpcPort)).toBe('SERVING');
    const ackedBefore = await registryValue(registry, 'stackwatch_messages_acked_total');

    await clickhouse.halt();
    const notReady = await waitFor('/readyz to report 503', async () => {
      const answer = await readyz();
      return answer.status === 503 ? answer : undefined;
    }, { timeoutMs: 15_000 });
    expect(notReady.text).toMatch(/^not ready: store ping failed: /);
    for (let i = 50; i < 100; i++) await agent.send(event('outage', i));
    // Several failed writes (backoff between them), and not one ack meanwhile.
    await waitFor('failed store writes', async () => (await metricSum(`${c.http}/metrics`, 'stackwatch_aggregator_store_errors_total')) >= 3, { timeoutMs: 30_000 });
    expect(await registryValue(registry, 'stackwatch_messages_acked_total')).toBe(ackedBefore);
    expect(await registryValue(registry, 'stackwatch_messages_rejected_total')).toBe(0);
    expect(spool.size()).toBe(50);
    expect(await metricSum(`${c.http}/metrics`, 'stackwatch_aggregator_store_ready')).toBe(0);
    expect(await grpcHealth(c.grpcPort)).toBe('NOT_SERVING');

    await clickhouse.resume();
    await waitFor('/readyz to report 200 again', async () => (await readyz()).status === 200, { timeoutMs: 30_000 });
    await waitFor('gRPC health to report SERVING again', async () => (await grpcHealth(c.grpcPort)) === 'SERVING', { timeoutMs: 10_000 });
    await waitFor('every message to be acked', () => spool.size() === 0, { timeoutMs: 30_000 });
    expect(await eventRows('outage', 'outage')).toEqual({ rows: 100, ids: 100 });
    expect(await ledgerRows('outage')).toBe(100);
    expect(c.process.logs()).toMatch(/store writes succeed again after \d+ failed attempt\(s\)/);
    expect(await c.process.stop()).toBe(0);
  });

});
