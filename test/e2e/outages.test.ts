import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startApp,
  startClickHouse,
  startFaultFixtures,
  waitFor,
  type AppProcess,
  type ClickHouseServer,
  type FixtureInstance,
} from '@stackwatch/testing';
import { sqlLiterals } from '../../apps/aggregator/src/store/sql-literal';
import { spooledMessages, type SpooledMessage } from './support/spool';

/**
 * Nothing lost, nothing stored twice, with every part a real process: a Go fixture, its agent,
 * the aggregator and ClickHouse. While the aggregator (or ClickHouse) is down for a minute the
 * agent keeps capturing (a CPU spike and a goroutine leak fire events); once it is back, every
 * message the agent held is stored exactly once. Then an agent killed with SIGKILL and an
 * aggregator killed mid-stream, each restarted, lose and duplicate nothing. And a spool that
 * fills up drops its oldest data, counts it, and keeps the agent running in bounded memory.
 */
const OUTAGE_MS = Number(process.env.E2E_OUTAGE_SECONDS ?? 60) * 1000;
const AGENT_FLAGS = [
  '--interval', '500ms', '--ring-size', '6', '--flight-recorder-window', '2s', '--baseline-every', '5s',
  '--inspect-every', '2s', '--rule', 'goroutines.min=100', '--metrics-listen', '127.0.0.1:0',
];

interface Site {
  readonly name: string;
  readonly dir: string;
  readonly clickhouse: ClickHouseServer;
  readonly grpcPort: number;
  readonly fixture: FixtureInstance;
  aggregator: AppProcess;
  agent: AppProcess;
  readonly spool: string;
}

async function startAggregator(site: Pick<Site, 'clickhouse' | 'grpcPort'>): Promise<AppProcess> {
  return startApp(
    'stackwatch-aggregator',
    ['--grpc-listen', `127.0.0.1:${site.grpcPort}`, '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${site.clickhouse.httpPort}/stackwatch`],
    /HTTP on (http:\/\/\S+)/,
  );
}

function startAgent(site: Pick<Site, 'name' | 'grpcPort' | 'fixture' | 'spool'>, extra: string[] = []): Promise<AppProcess> {
  return startApp(
    'stackwatch-agent',
    ['--aggregator', `127.0.0.1:${site.grpcPort}`, '--target', site.fixture.url, '--service', site.name, '--instance', `${site.name}-0`, '--spool-dir', site.spool, ...AGENT_FLAGS, ...extra],
    /metrics on (http:\/\/\S+)\/metrics/,
  );
}

async function startSite(name: string): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), `stackwatch-outage-${name}-`));
  const clickhouse = await startClickHouse();
  const grpcPort = await freePort();
  const aggregator = await startAggregator({ clickhouse, grpcPort });
  const [fixture] = await startFaultFixtures({ count: 1, backgroundRps: 20 });
  const spool = join(dir, 'spool');
  const agent = await startAgent({ name, grpcPort, fixture, spool });
  return { name, dir, clickhouse, grpcPort, fixture, aggregator, agent, spool };
}

async function stopSite(site: Site | undefined): Promise<void> {
  if (!site) return;
  await site.agent.stop().catch(() => undefined);
  await site.aggregator.stop().catch(() => undefined);
  await site.fixture.stop();
  await site.clickhouse.stop();
  rmSync(site.dir, { recursive: true, force: true });
}

const lit = sqlLiterals('clickhouse');

/** Rows per id in a table, over the last two days' partitions (ids of one kind, e.g. events). */
async function rowsPerId(clickhouse: ClickHouseServer, table: string, column: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const text = await clickhouse.query(
    `SELECT ${column}, count() FROM stackwatch.${table} WHERE date >= yesterday() AND ${column} IN ${lit.inList(ids)} GROUP BY ${column} FORMAT TabSeparated`,
  );
  return new Map(text.trim().split('\n').filter(Boolean).map((line) => [line.split('\t')[0], Number(line.split('\t')[1])]));
}

/** Every spooled message is stored once: one ledger row, one event row, one profile row and one counted copy of its samples. */
async function expectStoredOnce(clickhouse: ClickHouseServer, messages: readonly SpooledMessage[]): Promise<void> {
  const ids = [...new Set(messages.map((m) => m.id))];
  const once = (counts: Map<string, number>, expected: readonly string[]) => expected.filter((id) => counts.get(id) !== 1).map((id) => `${id}: ${counts.get(id) ?? 0}`);
  expect(once(await rowsPerId(clickhouse, 'ingested', 'message_id', ids), ids)).toEqual([]);
  const events = messages.filter((m) => m.kind === 'event').map((m) => m.id);
  expect(once(await rowsPerId(clickhouse, 'events', 'id', events), events)).toEqual([]);
  const profiles = messages.filter((m) => m.kind === 'profile').map((m) => m.id);
  expect(once(await rowsPerId(clickhouse, 'profiles', 'id', profiles), profiles)).toEqual([]);
  if (profiles.length > 0) {
    // A write cut short by the outage may leave samples of a copy without its profile row: by
    // design (docs/schema.md) such a copy is never counted. What counts is one copy per profile.
    const copies = await clickhouse.query(
      `SELECT profile_id, uniqExact(copy_id) AS copies FROM stackwatch.samples WHERE date >= yesterday() AND profile_id IN ${lit.inList(profiles)}
       AND copy_id IN (SELECT copy_id FROM stackwatch.profiles WHERE date >= yesterday() AND id IN ${lit.inList(profiles)})
       GROUP BY profile_id HAVING copies != 1 FORMAT TabSeparated`,
    );
    expect(copies.trim()).toBe('');
  }
}

/** Nothing anywhere in the site's store was written twice (ledger, events, profiles). */
async function expectNoDuplicates(clickhouse: ClickHouseServer): Promise<void> {
  for (const [table, column] of [['ingested', 'message_id'], ['events', 'id'], ['profiles', 'id']]) {
    const twice = await clickhouse.query(`SELECT ${column}, count() AS n FROM stackwatch.${table} WHERE date >= yesterday() GROUP BY ${column} HAVING n > 1 FORMAT TabSeparated`);
    expect({ table, twice: twice.trim() }).toEqual({ table, twice: '' });
  }
}

const metric = async (agent: AppProcess, name: string): Promise<number> => {
  const text = await (await fetch(`${agent.ready[1]}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[2]), 0);
};

const drained = (site: Site) => waitFor(`${site.name}: the agent's spool to drain`, () => spooledMessages(site.spool).length === 0, { timeoutMs: 90_000, intervalMs: 500 });

/** Faults the agent captures during an outage: a CPU spike and a goroutine leak, each an event with profiles. */
async function faultsDuringOutage(site: Site): Promise<SpooledMessage[]> {
  await site.fixture.get('/fault/cpu?seconds=4&workers=2');
  await site.fixture.get('/fault/leak?n=150');
  return waitFor(
    `${site.name}: two events and their profiles in the spool`,
    () => {
      const held = spooledMessages(site.spool);
      return held.filter((m) => m.kind === 'event').length >= 2 && held.filter((m) => m.kind === 'profile').length >= 3 ? held : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

describe('outages: every message captured while a part is down is stored exactly once', () => {
  let aggregatorDown: Site | undefined;
  let clickhouseDown: Site | undefined;

  beforeAll(async () => {
    [aggregatorDown, clickhouseDown] = await Promise.all([startSite('agg-down'), startSite('ch-down')]);
    // Both flow before anything breaks, and both agents have a full window.
    await Promise.all(
      [aggregatorDown, clickhouseDown].map((site) =>
        waitFor(`${site.name}: stored profiles`, async () => Number((await site.clickhouse.query('SELECT count() FROM stackwatch.profiles WHERE date >= yesterday()')).trim()) >= 3, {
          timeoutMs: 60_000,
          intervalMs: 500,
        }),
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all([stopSite(aggregatorDown), stopSite(clickhouseDown)]);
  }, 60_000);

  it(
    `aggregator down ${OUTAGE_MS / 1000} s, ClickHouse down ${OUTAGE_MS / 1000} s (side by side): all held messages stored once after they return`,
    async () => {
      const agg = aggregatorDown!;
      const ch = clickhouseDown!;
      await agg.aggregator.stop('SIGKILL');
      await ch.clickhouse.halt();
      const downAt = Date.now();

      // The aggregator reports not ready while its store is gone; both agents keep capturing.
      await waitFor('not ready without ClickHouse', async () => (await fetch(`${ch.aggregator.ready[1]}/readyz`)).status === 503, { timeoutMs: 30_000, intervalMs: 250 });
      await Promise.all([faultsDuringOutage(agg), faultsDuringOutage(ch)]);
      await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
      const held = { agg: spooledMessages(agg.spool), ch: spooledMessages(ch.spool) };
      expect(held.agg.filter((m) => m.kind === 'event').length).toBeGreaterThanOrEqual(2);
      expect(held.ch.filter((m) => m.kind === 'event').length).toBeGreaterThanOrEqual(2);

      agg.aggregator = await startAggregator(agg);
      await ch.clickhouse.resume();
      await Promise.all([drained(agg), drained(ch)]);
      await expectStoredOnce(agg.clickhouse, held.agg);
      await expectStoredOnce(ch.clickhouse, held.ch);
      await expectNoDuplicates(agg.clickhouse);
      await expectNoDuplicates(ch.clickhouse);
      // The events read back through the API, each once.
      for (const site of [agg, ch]) {
        const events = (await (await fetch(`${site.aggregator.ready[1]}/api/v1/events?service=${site.name}&from=${downAt - 1000}`)).json()) as { id: string }[];
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
        expect(events.map((e) => e.id)).toEqual(expect.arrayContaining(held[site === agg ? 'agg' : 'ch'].filter((m) => m.kind === 'event').map((m) => m.id)));
      }
    },
    OUTAGE_MS + 240_000,
  );

  it('an agent killed with SIGKILL replays its spool after a restart, and an aggregator killed mid-stream loses nothing: no duplicates', async () => {
    const site = aggregatorDown!;
    // The agent dies with messages in flight: a fault's captures are being spooled and sent.
    await site.fixture.get('/fault/cpu?seconds=4&workers=2');
    await waitFor('a new event in the spool', () => spooledMessages(site.spool).some((m) => m.kind === 'event' || m.kind === 'profile'), { timeoutMs: 30_000, intervalMs: 50 });
    await site.agent.stop('SIGKILL');
    const leftByAgent = spooledMessages(site.spool);
    site.agent = await startAgent(site);
    await drained(site);
    await expectStoredOnce(site.clickhouse, leftByAgent);

    // The aggregator dies while the agent streams to it; a new one takes over on the same address.
    await site.fixture.get('/fault/leak?n=150');
    await waitFor('messages in flight', () => spooledMessages(site.spool).length > 0, { timeoutMs: 30_000, intervalMs: 50 });
    await site.aggregator.stop('SIGKILL');
    const leftByAggregator = spooledMessages(site.spool);
    site.aggregator = await startAggregator(site);
    await drained(site);
    await expectStoredOnce(site.clickhouse, leftByAggregator);
    await expectNoDuplicates(site.clickhouse);
  }, 180_000);
});

describe('a full spool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-spool-full-'));
  let fixture: FixtureInstance;
  let agent: AppProcess;

  afterAll(async () => {
    await agent?.stop();
    await fixture?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the oldest data, counts it, and keeps the agent sampling in bounded memory', async () => {
    [fixture] = await startFaultFixtures({ count: 1, backgroundRps: 20 });
    // No aggregator ever answers on this port: everything stays spooled.
    const nowhere = await freePort();
    agent = await startAgent({ name: 'spool-full', grpcPort: nowhere, fixture, spool: join(dir, 'spool') }, ['--spool-max-bytes', '128KiB', '--baseline-every', '1s']);
    await waitFor('drops from the full spool', async () => (await metric(agent, 'stackwatch_spool_dropped_total')) > 0, { timeoutMs: 60_000, intervalMs: 500 });
    const samplesBefore = await metric(agent, 'stackwatch_samples_total');
    const rss: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      rss.push(Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))?.[1]) / 1024);
      expect(await metric(agent, 'stackwatch_spool_bytes')).toBeLessThanOrEqual(128 * 1024);
    }
    expect(await metric(agent, 'stackwatch_samples_total')).toBeGreaterThan(samplesBefore);
    expect(await metric(agent, 'stackwatch_spool_dropped_total')).toBeGreaterThan(0);
    expect(Math.max(...rss)).toBeLessThan(150);
    expect(agent.logs()).toMatch(/spool full|dropped/i);
  }, 120_000);
});
