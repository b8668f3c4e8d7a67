import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';

/** A private ClickHouse server for one test run: own ports, own data directory. */
export interface ClickHouseServer {
  /** HTTP endpoint, e.g. http://127.0.0.1:41234 (what @clickhouse/client talks to). */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly dataDir: string;
  /** The running server process's pid (undefined while halted): benchmarks read its CPU time. */
  pid(): number | undefined;
  /** Runs one query over HTTP and returns the response text (throws with ClickHouse's message). */
  query(sql: string): Promise<string>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
  /**
   * Stops the server process (SIGTERM) but keeps its data directory and ports: a ClickHouse that
   * went down. resume() brings it back with the same data.
   */
  halt(): Promise<void>;
  /** Starts a new server process on the data directory and ports of a halted one; resolves once it answers /ping. */
  resume(): Promise<void>;
}

export interface ClickHouseOptions {
  /** Extra XML inside the root element, e.g. a <remote_servers> block for cluster tests. */
  readonly extraConfigXml?: string;
  /** Bound on start-up; 18.16 usually answers /ping within 2 s. */
  readonly startTimeoutMs?: number;
}

/** Debian's package installs clickhouse-server; newer releases ship one `clickhouse` binary. */
function serverCommand(): { bin: string; args: string[] } {
  const override = process.env.CLICKHOUSE_SERVER_BIN;
  if (override) return { bin: override, args: [] };
  for (const bin of ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server']) {
    if (existsSync(bin)) return { bin, args: [] };
  }
  for (const bin of ['/usr/bin/clickhouse', '/usr/local/bin/clickhouse']) {
    if (existsSync(bin)) return { bin, args: ['server'] };
  }
  throw new Error(
    'ClickHouse server not found: install it (apt-get install clickhouse-server clickhouse-client); ' +
      'scripts/setup.sh does this when run as root. CLICKHOUSE_SERVER_BIN may point to another binary.',
  );
}

function configXml(dir: string, ports: { http: number; tcp: number; interserver: number }, extra: string): string {
  // <yandex> is the root 18.16 requires; current releases still accept it.
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/server.err.log</errorlog>
    <console>0</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <timezone>UTC</timezone>
${extra}
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts a ClickHouse server on free loopback ports with a temporary data directory. */
export async function startClickHouse(options: ClickHouseOptions = {}): Promise<ClickHouseServer> {
  const { bin, args } = serverCommand();
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-clickhouse-'));
  for (const sub of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
  const ports = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  writeFileSync(join(dir, 'config.xml'), configXml(dir, ports, options.extraConfigXml ?? ''));
  writeFileSync(join(dir, 'users.xml'), USERS_XML);

  const url = `http://127.0.0.1:${ports.http}`;
  const query = async (sql: string): Promise<string> => {
    const response = await fetch(url, { method: 'POST', body: sql, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse: ${text.trim()}`);
    return text;
  };

  /** One server process on `dir`; resolves once it answers /ping. */
  const launch = async (): Promise<{ pid: number | undefined; halt(): Promise<void> }> => {
    const child = spawn(bin, [...args, `--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let exited: number | null | undefined;
    const exit = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        exited = code;
        running.delete(child);
        resolve();
      }),
    );
    const halt = async (): Promise<void> => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    };
    try {
      await waitFor(
        `ClickHouse on ${url} to answer /ping`,
        async () => {
          if (exited !== undefined) throw new Error(`clickhouse-server exited with code ${exited}: ${stderr.trim()}`);
          const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
          return response.ok;
        },
        { timeoutMs: options.startTimeoutMs ?? 60_000, intervalMs: 100 },
      );
    } catch (err) {
      await halt();
      throw err;
    }
    return { pid: child.pid, halt };
  };

  let current: { pid: number | undefined; halt(): Promise<void> } | undefined;
  const stop = async (): Promise<void> => {
    await current?.halt();
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    current = await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const halt = async (): Promise<void> => {
    await current?.halt();
    current = undefined;
  };
  const resume = async (): Promise<void> => {
    if (current) throw new Error('resume() needs a halted server: this one is running');
    // Same config file: same ports and data directory, free again once the old process exited.
    current = await launch();
  };
  return { url, httpPort: ports.http, tcpPort: ports.tcp, dataDir: dir, pid: () => current?.pid, query, stop, halt, resume };
}
