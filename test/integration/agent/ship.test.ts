// The agent's shipper against a real gRPC ingest server over loopback: delivery, outages,
// restarts of either side, chunking, auth and rejects. Every wait is a bounded waitFor.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage } from '@stackwatch/contract';
import { createTestPki, freePort, startIngestTestServer, waitFor, type IngestTestServer, type IngestTestServerOptions } from '@stackwatch/testing';
import { Registry } from 'prom-client';
import { Shipper, Spool, type ShipperOptions } from '../../../apps/agent/src/ship';

const MiB = 1024 * 1024;
const target = { service: 'checkout', instance: 'pod-1', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8', url: 'http://127.0.0.1:6060/' };
const metrics = (id: string): AgentMessage => ({ metrics: { id, target, points: [{ name: 'goroutines', value: 12, time_unix_ms: 1_700_000_000_000 }] } });

interface Agent {
  readonly spool: Spool;
  readonly shipper: Shipper;
  readonly registry: Registry;
  readonly lines: string[];
}

/** Value of one series (a histogram's count when `name` ends in _count). */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metricName = name.replace(/_count$/, '');
  const metric = registry.getSingleMetric(metricName);
  if (!metric) return 0;
  const values = (await metric.get()).values.filter(
    (v) => ((v as { metricName?: string }).metricName ?? metricName) === name && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return values.reduce((sum, v) => sum + v.value, 0);
}

const dataIds = (server: IngestTestServer) =>
  server.raw.flatMap((m) => (m.body && m.body !== 'hello' ? [m[m.body]!.id] : []));

describe('agent shipper ↔ ingest server (gRPC over loopback)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  const later = (fn: () => Promise<void> | void) => cleanups.push(fn);

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  async function server(options: IngestTestServerOptions = {}): Promise<IngestTestServer> {
    const started = await startIngestTestServer(options);
    later(() => started.stop());
    return started;
  }

  function spoolDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'ship-it-'));
    later(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Its stop() runs in afterEach, after the assertions: tests of a "killed" agent rely on it. */
  async function agent(dir: string, address: string, options: Partial<ShipperOptions> = {}): Promise<Agent> {
    const registry = new Registry();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const spool = await Spool.open(dir, { maxBytes: 64 * MiB, registry, log });
    const shipper = new Shipper({ address, agentId: 'agent-1', version: '0.1.0', spool, registry, log, backoff: { initialMs: 50, maxMs: 500 }, ...options });
    later(async () => {
      await shipper.stop({ deadlineMs: 0 });
      await spool.close();
    });
    return { spool, shipper, registry, lines };
  }

  it('delivers each kind of message, drops it from the spool on ack and counts it', async () => {
    const aggregator = await server();
    const { spool, shipper, registry } = await agent(spoolDir(), aggregator.address);
    shipper.start();
    const messages: AgentMessage[] = [
      { target_status: { id: 's-1', target, state: 'TARGET_STATE_UP', time_unix_ms: 1, detail: 'answering' } },
      metrics('m-1'),
      { event: { id: 'e-1', kind: 'cpu', target, time_unix_ms: 2, value: 93, average: 20, threshold: 80, reason: 'cpu above 80%', profile_ids: ['p-1'] } },
      { profile: { id: 'p-1', target, type: 'cpu', pprof_gzip: randomBytes(2048), start_unix_ms: 3, duration_ms: 10_000, trigger: { baseline: {} } } },
    ];
    for (const message of messages) await shipper.send(message);

    await aggregator.waitForIds(['s-1', 'm-1', 'e-1', 'p-1']);
    await waitFor('the spool to empty', () => spool.size() === 0, { timeoutMs: 5_000 });
    expect(spool.bytes()).toBe(0);
    const event = aggregator.received.find((m) => m.event)!.event!;
    expect(event).toMatchObject({ id: 'e-1', kind: 'cpu', value: 93, profile_ids: ['p-1'], target: { service: 'checkout', labels: { zone: 'a' } } });
    expect(aggregator.received.find((m) => m.profile)!.profile!.pprof_gzip.equals(messages[3].profile!.pprof_gzip as Buffer)).toBe(true);
    expect(aggregator.hellos).toEqual([{ agent_id: 'agent-1', version: '0.1.0', token: '' }]);
    for (const kind of ['target_status', 'metrics', 'event', 'profile']) {
      expect(await sample(registry, 'stackwatch_messages_acked_total', { kind })).toBe(1);
      expect(await sample(registry, 'stackwatch_messages_sent_total', { kind })).toBe(1);
    }
    expect(await sample(registry, 'stackwatch_send_latency_seconds_count')).toBe(4);
    expect(await sample(registry, 'stackwatch_aggregator_connected')).toBe(1);
    expect(await sample(registry, 'stackwatch_spool_bytes')).toBe(0);
  });

  it('flushes what is pending on stop (the SIGTERM path), within the deadline', async () => {
    const aggregator = await server({ ackDelayMs: 5 });
    const { spool, shipper, registry } = await agent(spoolDir(), aggregator.address);
    shipper.start();
    const ids = Array.from({ length: 50 }, (_, i) => `flush-${i}`);
    for (const id of ids) await shipper.send(metrics(id));
    await shipper.stop({ deadlineMs: 10_000 });

    expect(spool.size()).toBe(0);
    expect(aggregator.ids()).toEqual(new Set(ids));
    expect(await sample(registry, 'stackwatch_aggregator_connected')).toBe(0);
  });

  it('stops at the deadline when acks do not come, keeping the data spooled', async () => {
    const aggregator = await server({ holdAcks: true });
    const dir = spoolDir();
    const { spool, shipper, lines } = await agent(dir, aggregator.address);
    shipper.start();
    for (let i = 0; i < 5; i++) await shipper.send(metrics(`held-${i}`));
    await waitFor('the messages to reach the server', () => dataIds(aggregator).length === 5, { timeoutMs: 10_000 });
    const started = Date.now();
    await shipper.stop({ deadlineMs: 300 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(spool.size()).toBe(5);
    expect(lines).toContain('stopping with 5 message(s) unacked; they stay spooled');
    await spool.close();
    const reopened = await Spool.open(dir, { maxBytes: MiB, registry: new Registry(), log: () => undefined });
    expect(reopened.size()).toBe(5);
  });

  it('spools while the aggregator is down at start and delivers once it is up', async () => {
    const port = await freePort();
    const { spool, shipper, registry, lines } = await agent(spoolDir(), `127.0.0.1:${port}`);
    shipper.start();
    const ids = Array.from({ length: 10 }, (_, i) => `early-${i}`);
    for (const id of ids) await shipper.send(metrics(id));
    await waitFor('a few failed attempts', async () => (await sample(registry, 'stackwatch_aggregator_reconnects_total')) >= 3, { timeoutMs: 10_000 });
    expect(spool.size()).toBe(10);
    expect(await sample(registry, 'stackwatch_aggregator_connected')).toBe(0);
    // Logged on the first failure only: the attempts after it fail for the same reason.
    expect(lines.filter((l) => /connection failed: UNAVAILABLE/.test(l))).toHaveLength(1);

    const aggregator = await server({ port });
    await aggregator.waitForIds(ids);
    await waitFor('the spool to empty', () => spool.size() === 0, { timeoutMs: 5_000 });
    expect(await sample(registry, 'stackwatch_aggregator_connected')).toBe(1);
  });

  it('delivers everything across an aggregator restart mid-stream, re-sending what was unacked', async () => {
    const aggregator = await server({ ackDelayMs: 50 });
    const { spool, shipper, registry } = await agent(spoolDir(), aggregator.address, { maxInFlight: 16 });
    const ids = Array.from({ length: 300 }, (_, i) => `r-${String(i).padStart(3, '0')}`);
    for (const id of ids) await shipper.send(metrics(id));
    shipper.start();

    await waitFor('the stream to be under way', () => dataIds(aggregator).length >= 60, { timeoutMs: 10_000 });
    await aggregator.restartOnSamePort();
    await aggregator.waitForIds(ids, 30_000);
    await waitFor('the spool to empty', () => spool.size() === 0, { timeoutMs: 5_000 });

    expect(aggregator.ids()).toEqual(new Set(ids));
    const seen = dataIds(aggregator);
    for (const id of ids) expect(seen).toContain(id);
    // The window was full when the server went away: those messages had to be sent twice.
    expect(seen.length).toBeGreaterThan(ids.length);
    expect(aggregator.hellos.length).toBeGreaterThanOrEqual(2);
    expect(await sample(registry, 'stackwatch_aggregator_reconnects_total')).toBeGreaterThanOrEqual(1);
  });

  it('replays the spool after the agent was killed (no stop) with messages in flight', async () => {
    const hanging = await server({ holdAcks: true });
    const dir = spoolDir();
    const killed = await agent(dir, hanging.address);
    killed.shipper.start();
    const ids = Array.from({ length: 20 }, (_, i) => `k-${String(i).padStart(2, '0')}`);
    for (const id of ids) await killed.shipper.send(metrics(id));
    await waitFor('every message to be on the wire, unacked', () => dataIds(hanging).length === ids.length, { timeoutMs: 10_000 });
    // From here the first agent is "dead": nothing of it runs stop(), flushes or closes its spool
    // (its stop() only runs in afterEach, once the assertions are done).

    const aggregator = await server();
    const restarted = await agent(dir, aggregator.address);
    expect(restarted.spool.size()).toBe(ids.length);
    restarted.shipper.start();
    await aggregator.waitForIds(ids);
    await waitFor('the spool to empty', () => restarted.spool.size() === 0, { timeoutMs: 5_000 });
    expect(dataIds(aggregator)).toEqual(ids);
  });

  it('chunks a 10 MiB profile under a 1 MiB limit; the server reassembles it byte-identical', async () => {
    const aggregator = await server({ maxMessageBytes: MiB });
    const { spool, shipper, registry } = await agent(spoolDir(), aggregator.address);
    shipper.start();
    const pprof = randomBytes(10 * MiB);
    await shipper.send({ profile: { id: 'big-1', target, type: 'heap', pprof_gzip: pprof, start_unix_ms: 5, duration_ms: 0, trigger: { baseline: {} } } });

    await aggregator.waitForIds(['big-1'], 30_000);
    const stored = aggregator.received.find((m) => m.profile?.id === 'big-1')!.profile!;
    expect(stored.pprof_gzip.equals(pprof)).toBe(true);
    expect(stored).toMatchObject({ type: 'heap', start_unix_ms: 5, target: { service: 'checkout' } });
    const chunks = aggregator.raw.filter((m) => m.profile?.id === 'big-1').map((m) => m.profile!);
    expect(chunks.length).toBeGreaterThanOrEqual(11);
    expect(chunks.map((c) => c.chunk_index)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => `${c.chunk_count}/${c.total_bytes}`))).toEqual(new Set([`${chunks.length}/${pprof.length}`]));
    // Over the limit the server would have failed the stream with RESOURCE_EXHAUSTED.
    expect(await sample(registry, 'stackwatch_aggregator_reconnects_total')).toBe(0);
    await waitFor('the spool to empty', () => spool.size() === 0, { timeoutMs: 5_000 });
    expect(await sample(registry, 'stackwatch_messages_acked_total', { kind: 'profile' })).toBe(1);
  });

  it('is refused with a wrong token, logs it without the token and retries with backoff', async () => {
    const token = 'wrong-token-4f9c2e71';
    const aggregator = await server({ token: 'the-right-token' });
    // random 0.5: delays of 100, 200, 400, 800 ms: the 5th attempt comes 1.5 s after the first.
    const { spool, shipper, registry, lines } = await agent(spoolDir(), aggregator.address, {
      token,
      backoff: { initialMs: 200, maxMs: 30_000 },
      random: () => 0.5,
    });
    await shipper.send(metrics('never'));
    const started = Date.now();
    shipper.start();
    await waitFor('five refused attempts', () => aggregator.hellos.length >= 5, { timeoutMs: 10_000 });
    const elapsed = Date.now() - started;

    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(aggregator.hellos.length).toBe(5);
    expect(aggregator.hellos.every((h) => h.token === token)).toBe(true);
    expect(aggregator.ids().size).toBe(0);
    expect(spool.size()).toBe(1);
    expect(await sample(registry, 'stackwatch_aggregator_connected')).toBe(0);
    const refusals = lines.filter((l) => l.includes('UNAUTHENTICATED'));
    // One line per distinct failure, not one per attempt.
    expect(refusals).toEqual([`aggregator ${aggregator.address}: connection failed: UNAUTHENTICATED: invalid token; retrying with backoff`]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('keeps backing off from an aggregator that welcomes but cannot store (no reset on Welcome alone)', async () => {
    const aggregator = await server({ storeDown: true });
    const { spool, shipper, registry } = await agent(spoolDir(), aggregator.address, {
      backoff: { initialMs: 200, maxMs: 30_000 },
      random: () => 0.5,
    });
    await shipper.send(metrics('pending'));
    const started = Date.now();
    shipper.start();
    await waitFor('five welcomed but failed streams', () => aggregator.hellos.length >= 5, { timeoutMs: 10_000 });

    // Delays grew 100, 200, 400, 800 ms: a reset at each Welcome would have kept them at 100.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(aggregator.hellos.length).toBe(5);
    expect(spool.size()).toBe(1);
    expect(await sample(registry, 'stackwatch_messages_sent_total', { kind: 'metrics' })).toBeGreaterThanOrEqual(4);
  });

  it('drops a rejected message from the spool, logs and counts it', async () => {
    const aggregator = await server({ rejectIf: (m) => (m.metrics?.id === 'bad-1' ? 'bad_field' : undefined) });
    const { spool, shipper, registry, lines } = await agent(spoolDir(), aggregator.address);
    shipper.start();
    await shipper.send(metrics('bad-1'));
    await shipper.send(metrics('good-1'));

    await aggregator.waitForIds(['good-1']);
    await waitFor('the spool to empty', () => spool.size() === 0, { timeoutMs: 5_000 });
    expect(aggregator.ids()).toEqual(new Set(['good-1']));
    expect(aggregator.rejected).toEqual([{ id: 'bad-1', reason: 'bad_field' }]);
    expect(await sample(registry, 'stackwatch_messages_rejected_total', { kind: 'metrics', reason: 'bad_field' })).toBe(1);
    expect(await sample(registry, 'stackwatch_messages_acked_total', { kind: 'metrics' })).toBe(1);
    expect(lines.some((l) => l.startsWith('aggregator rejected metrics bad-1: bad_field'))).toBe(true);
  });

  it('ships over TLS, verifying the aggregator against a given CA', async () => {
    const dir = spoolDir();
    // The agent dials "localhost": Node refuses an IP address as TLS server name (RFC 6066).
    const pki = createTestPki(join(dir, 'tls'));
    const aggregator = await server({ tls: { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) } });
    const { shipper, lines } = await agent(join(dir, 'spool'), `localhost:${aggregator.port}`, { tls: { ca: readFileSync(pki.ca) }, token: 'tls-token' });
    shipper.start();
    await shipper.send(metrics('over-tls'));
    await aggregator.waitForIds(['over-tls']);
    expect(aggregator.hellos[0].token).toBe('tls-token');
    expect(lines.join('\n')).not.toMatch(/without TLS/);
  });
});
