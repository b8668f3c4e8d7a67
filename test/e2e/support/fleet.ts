import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  go119,
  startApp,
  startClickHouse,
  startFaultFixtures,
  systemGo,
  waitFor,
  type AppProcess,
  type ClickHouseServer,
  type FixtureInstance,
} from '@stackwatch/testing';

/**
 * One service of three Go fault-fixture instances, watched by stackwatch agents and stored by the
 * aggregator, everything as separate real processes: what the e2e suite asserts on through the
 * aggregator's REST API, the way a user would.
 */
export interface FleetOptions {
  readonly service: string;
  readonly store: 'clickhouse' | 'duckdb';
  /** `sidecars`: one agent per instance (`--target`); `discover`: one agent finding all of them. */
  readonly agents: 'sidecars' | 'discover';
  readonly go: 'system' | '1.19';
  /** Requests per second of each instance's own background traffic (varies ±50 % over a minute). */
  readonly backgroundRps: number;
}

export interface FleetInstance {
  /** The instance id the agent reports (as POD_NAME would in Kubernetes). */
  readonly name: string;
  readonly fixture: FixtureInstance;
}

export interface Fleet {
  readonly options: FleetOptions;
  readonly instances: readonly FleetInstance[];
  readonly agents: readonly AppProcess[];
  /** Base URL of the aggregator's HTTP API, e.g. http://127.0.0.1:41234. */
  readonly httpUrl: string;
  /** GET a JSON answer of the REST API (`path` under /api/v1); throws on any other status. */
  api<T>(path: string): Promise<T>;
  /** GET raw bytes of the REST API (`path` under /api/v1). */
  download(path: string): Promise<Buffer>;
  stop(): Promise<void>;
}

/**
 * Agent settings of the suite, shortened from the defaults so a fault is caught in seconds:
 * sampling every 500 ms with a 6-sample window (rules may fire after 3 s of history), 2 s flight
 * recorder windows, deadlock inspections every 2 s, baselines every 15 s. The memory and goroutine
 * minimums are lowered because a 1 GiB allocation is a few per cent of this host's memory and the
 * fixture leaks hundreds of goroutines, not thousands. Everything else is the default rule set.
 */
export const AGENT_SETTINGS = {
  intervalMs: 500,
  ringSize: 6,
  flightRecorderWindowMs: 2_000,
  inspectEveryMs: 2_000,
  deadlockAfterMs: 4_000,
  baselineEveryMs: 15_000,
} as const;

const agentFlags = (): string[] => [
  '--interval', `${AGENT_SETTINGS.intervalMs}ms`,
  '--ring-size', String(AGENT_SETTINGS.ringSize),
  '--flight-recorder-window', `${AGENT_SETTINGS.flightRecorderWindowMs}ms`,
  '--inspect-every', `${AGENT_SETTINGS.inspectEveryMs}ms`,
  '--deadlock-after', `${AGENT_SETTINGS.deadlockAfterMs}ms`,
  '--baseline-every', `${AGENT_SETTINGS.baselineEveryMs}ms`,
  '--rule', 'memory.min=1',
  '--rule', 'goroutines.min=100',
  '--metrics-listen', '127.0.0.1:0',
];

async function getOk(url: string): Promise<Response> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), `stackwatch-e2e-${options.service}-`));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    // Agents first (they flush), then what they watch and ship to.
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let clickhouse: ClickHouseServer | undefined;
    if (options.store === 'clickhouse') {
      clickhouse = await startClickHouse();
      stops.push(() => clickhouse!.stop());
    }
    const store = clickhouse ? `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/stackwatch` : `duckdb:${join(dir, 'stackwatch.duckdb')}`;
    const aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', store],
      /HTTP on (http:\/\/\S+)/,
    );
    stops.push(() => aggregator.stop());
    const httpUrl = aggregator.ready[1];
    const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
    await waitFor('the aggregator to be ready', async () => (await fetch(`${httpUrl}/readyz`)).ok, { timeoutMs: 60_000, intervalMs: 200 });

    const toolchain = options.go === '1.19' ? go119() : systemGo();
    const names = [0, 1, 2].map((i) => `${options.service}-${i}`);
    const fixtures = (
      await Promise.all(
        names.map((name) =>
          startFaultFixtures({
            count: 1,
            toolchain,
            backgroundRps: options.backgroundRps,
            service: options.service,
            // What a discovering agent reads from /proc/<pid>/environ, as in Kubernetes.
            env: { STACKWATCH_SERVICE: options.service, POD_NAME: name },
          }),
        ),
      )
    ).flat();
    stops.push(() => Promise.all(fixtures.map((f) => f.stop())));
    const instances = names.map((name, i) => ({ name, fixture: fixtures[i] }));

    const agentReady = /metrics on (http:\/\/\S+)\/metrics/;
    const agents =
      options.agents === 'sidecars'
        ? await Promise.all(
            instances.map(({ name, fixture }) =>
              startApp(
                'stackwatch-agent',
                ['--aggregator', grpc, '--target', fixture.url, '--service', options.service, '--instance', name, '--spool-dir', join(dir, `spool-${name}`), ...agentFlags()],
                agentReady,
              ),
            ),
          )
        : // Only this fleet's processes: another fleet (or test) may run Go fixtures on the machine.
          [await startApp('stackwatch-agent', ['--aggregator', grpc, '--discover', '--discover-env', `STACKWATCH_SERVICE=${options.service}`, '--spool-dir', join(dir, 'spool'), ...agentFlags()], agentReady)];
    stops.push(() => Promise.all(agents.map((a) => a.stop())));

    const api = async <T>(path: string): Promise<T> => (await (await getOk(`${httpUrl}/api/v1${path}`)).json()) as T;
    const download = async (path: string): Promise<Buffer> => Buffer.from(await (await getOk(`${httpUrl}/api/v1${path}`)).arrayBuffer());
    return { options, instances, agents, httpUrl, api, download, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
