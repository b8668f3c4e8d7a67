import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestPki,
  pprofTop,
  startApp,
  startFaultFixtures,
  startIngestTestServer,
  waitFor,
  type AppProcess,
  type FixtureInstance,
  type IngestTestServer,
  type TestPki,
} from '@stackwatch/testing';

/**
 * Nothing let in, nothing leaked, with the real executables: an aggregator requiring mutual TLS,
 * an agent token and an API token; a well-configured agent, and one with a wrong token. The
 * tokens and the private keys appear in no log line and no metric of either process; the REST
 * API answers only with the token (go tool pprof included, through basic auth); an agent never
 * fetches from a URL an aggregator sends it.
 */
const AGENT_TOKEN = `agent-${randomBytes(12).toString('hex')}`;
const API_TOKEN = `api-${randomBytes(12).toString('hex')}`;
const WRONG_TOKEN = `wrong-${randomBytes(12).toString('hex')}`;
const FAST = ['--interval', '500ms', '--ring-size', '4', '--flight-recorder-window', '2s', '--baseline-every', '3s', '--metrics-listen', '127.0.0.1:0'];
const AGENT_READY = /metrics on (http:\/\/\S+)\/metrics/;

describe('security: TLS, tokens, and no secret in logs or metrics (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-security-'));
  let pki: TestPki;
  let fixture: FixtureInstance;
  let aggregator: AppProcess;
  let agent: AppProcess;
  let intruder: AppProcess;
  let http: string;

  beforeAll(async () => {
    pki = createTestPki(join(dir, 'pki'));
    aggregator = await startApp(
      'stackwatch-aggregator',
      [
        '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${join(dir, 'store.duckdb')}`,
        '--token', AGENT_TOKEN, '--api-token', API_TOKEN,
        '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey, '--tls-client-ca', pki.ca,
      ],
      /HTTP on (http:\/\/\S+)/,
    );
    http = aggregator.ready[1];
    // Node refuses an IP address as TLS server name: agents dial localhost.
    const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1].replace('127.0.0.1', 'localhost');
    [fixture] = await startFaultFixtures({ count: 1, backgroundRps: 10 });
    const tls = ['--tls-ca', pki.ca, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey];
    const agentArgs = (name: string, token: string) => [
      '--aggregator', grpc, '--token', token, ...tls, '--target', fixture.url, '--service', 'secure', '--instance', name,
      '--spool-dir', join(dir, `spool-${name}`), ...FAST,
    ];
    agent = await startApp('stackwatch-agent', agentArgs('trusted', AGENT_TOKEN), AGENT_READY);
    intruder = await startApp('stackwatch-agent', agentArgs('intruder', WRONG_TOKEN), AGENT_READY);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([agent?.stop(), intruder?.stop()]);
    await aggregator?.stop();
    await fixture?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (path: string, headers: Record<string, string> = {}) => fetch(`${http}/api/v1${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  const bearer = { authorization: `Bearer ${API_TOKEN}` };

  it('stores what the trusted agent sends and refuses the intruder, logging why without the token', async () => {
    const profile = await waitFor(
      'a profile of the trusted agent',
      async () => ((await (await api('/profiles?service=secure', bearer)).json()) as { id: string; instance: string }[])[0],
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(profile.instance).toBe('trusted');
    await waitFor('the intruder refused', () => /ended UNAUTHENTICATED: missing or wrong token/.test(aggregator.logs()) && /connection failed: .*UNAUTHENTICATED/.test(intruder.logs()), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const instances = (await (await api('/instances?service=secure', bearer)).json()) as { instance: string }[];
    expect(instances.map((i) => i.instance)).toEqual(['trusted']);
  });

  it('answers the REST API only with the API token; go tool pprof gets in with basic auth', async () => {
    expect((await api('/services')).status).toBe(401);
    expect((await api('/services', { authorization: `Bearer ${AGENT_TOKEN}` })).status).toBe(401);
    expect((await api('/services', bearer)).status).toBe(200);
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    // The web UI is guarded like the API it reads.
    expect((await fetch(`${http}/`)).status).toBe(401);
    expect((await fetch(`${http}/`, { headers: bearer })).status).toBe(200);
    // An oversized request is refused by the HTTP server itself, and the API keeps serving.
    expect((await api(`/services?service=${'x'.repeat(20_000)}`, bearer)).status).toBe(431);
    expect((await api('/services', bearer)).status).toBe(200);

    const [profile] = (await (await api('/profiles?service=secure&type=heap', bearer)).json()) as { id: string }[];
    const url = new URL(`${http}/api/v1/profiles/${profile.id}/pprof`);
    url.password = API_TOKEN;
    const top = await pprofTop(url.href, { sampleIndex: 3, unit: 'bytes' });
    expect(top.type).toBe('inuse_space');
  });

  it('never shows a token or a private key in any log line or metric', async () => {
    const secrets = [AGENT_TOKEN, API_TOKEN, WRONG_TOKEN, ...[pki.serverKey, pki.clientKey].map((f) => pemBody(readFileSync(f, 'utf8')))];
    const texts: Record<string, string> = {
      'aggregator log': aggregator.logs(),
      'agent log': agent.logs(),
      'intruder log': intruder.logs(),
      'aggregator /metrics': await (await fetch(`${http}/metrics`)).text(),
      'agent /metrics': await (await fetch(`${agent.ready[1]}/metrics`)).text(),
      'intruder /metrics': await (await fetch(`${intruder.ready[1]}/metrics`)).text(),
    };
    for (const [where, text] of Object.entries(texts)) {
      expect(text.length).toBeGreaterThan(0);
      for (const secret of secrets) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
    }
  });
});

/** A key's base64 body lines (any one of them leaking is a leak). */
function pemBody(pem: string): string {
  return pem.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----'))[1];
}

describe('security: an agent fetches only from its targets, never from a URL an aggregator sends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-hostile-aggregator-'));
  let decoy: Server;
  let decoyHits = 0;
  let hostile: IngestTestServer;
  let fixture: FixtureInstance;
  let agent: AppProcess;

  beforeAll(async () => {
    decoy = createServer((_req, res) => {
      decoyHits++;
      res.end('pprof of someone else');
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    const decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/debug/pprof/profile`;
    // Every answer names the decoy, as the reason of a reject.
    hostile = await startIngestTestServer({ rejectIf: () => `fetch ${decoyUrl} instead` });
    [fixture] = await startFaultFixtures({ count: 1, backgroundRps: 0 });
    agent = await startApp(
      'stackwatch-agent',
      ['--aggregator', hostile.address, '--target', fixture.url, '--instance', 'victim', '--spool-dir', join(dir, 'spool'), ...FAST],
      AGENT_READY,
    );
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await hostile?.stop();
    await fixture?.stop();
    await new Promise((resolve) => decoy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops what the aggregator rejects and keeps watching its target, the decoy untouched', async () => {
    await waitFor('profiles and metrics rejected by the hostile aggregator', () => hostile.rejected.length >= 5, { timeoutMs: 30_000, intervalMs: 250 });
    expect(decoyHits).toBe(0);
    expect(agent.logs()).toMatch(/aggregator rejected/);
    const metrics = await (await fetch(`${agent.ready[1]}/metrics`)).text();
    expect(metrics).toMatch(/^stackwatch_samples_total\{[^}]*\} [1-9]/m);
  });
});
