import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CliExit, formatHostPort, parseCommandLine, reportCliExit } from '@stackwatch/config';
import { agentOptions, type AgentConfig } from './agent-config';
import { resolveRules } from './detect/rule-config';
import { AgentMetrics } from './observe/agent-metrics';
import { ObserveServer } from './observe/observe-server';
import { Agent } from './pipeline/agent';
import { Shipper, Spool } from './ship';
import { AGENT_VERSION } from './version';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} stackwatch-agent: ${line}\n`);

/** How long SIGTERM waits for the aggregator to acknowledge what is spooled. */
const SHUTDOWN_FLUSH_MS = 5_000;

function readPem(path: string | undefined, flag: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliExit(2, `stackwatch-agent: invalid --${flag} ${JSON.stringify(path)}: cannot read it: ${(err as Error).message}\n`);
  }
}

function tlsOptions(config: AgentConfig) {
  if (!config.tlsCa && !config.tlsCert && !config.tlsKey) return undefined;
  if (!config.tlsCert !== !config.tlsKey) {
    throw new CliExit(2, 'stackwatch-agent: invalid --tls-cert/--tls-key: give both for mutual TLS, or neither\n');
  }
  return { ca: readPem(config.tlsCa, 'tls-ca'), cert: readPem(config.tlsCert, 'tls-cert'), key: readPem(config.tlsKey, 'tls-key') };
}

/** Composition root: config → spool and shipper → agent pipeline → run until SIGINT/SIGTERM. */
async function main(argv: readonly string[]): Promise<number> {
  let config: AgentConfig;
  let tls;
  try {
    config = parseCommandLine(
      { name: 'stackwatch-agent', summary: 'Watches local Go processes through their pprof endpoints and ships what goes wrong.', version: AGENT_VERSION },
      agentOptions,
      argv,
      process.env,
    );
    if (config.pid !== undefined && config.target.length !== 1) {
      throw new CliExit(2, 'stackwatch-agent: invalid --pid: it pairs with exactly one --target\n');
    }
    if (config.target.length === 0 && !config.discover) {
      throw new CliExit(2, 'stackwatch-agent: nothing to watch: give --target URL (repeatable) or --discover\n');
    }
    tls = tlsOptions(config);
  } catch (err) {
    return reportCliExit(err);
  }

  const metrics = new AgentMetrics();
  const spoolDir = resolve(config.spoolDir);
  const spool = await Spool.open(spoolDir, { maxBytes: config.spoolMaxBytes, registry: metrics.registry, log });
  const shipper = new Shipper({
    address: formatHostPort(config.aggregator),
    ...(config.token !== undefined ? { token: config.token } : {}),
    ...(tls ? { tls } : {}),
    agentId: `${hostname()}:${spoolDir}`,
    version: AGENT_VERSION,
    spool,
    registry: metrics.registry,
    log,
  });
  shipper.start();

  const agent = new Agent({
    targets: config.target,
    ...(config.pid !== undefined ? { pid: config.pid } : {}),
    discover: config.discover,
    discoverEnv: config.discoverEnv,
    identity: {
      ...(config.service !== undefined ? { service: config.service } : {}),
      ...(config.instance !== undefined ? { instance: config.instance } : {}),
      labels: config.label,
    },
    watch: {
      intervalMs: config.interval,
      ringSize: config.ringSize,
      rules: resolveRules(config.rule),
      flightRecorder: config.flightRecorder,
      flightRecorderWindowMs: config.flightRecorderWindow,
      baselineEveryMs: config.baselineEvery,
      inspectEveryMs: config.inspectEvery,
      inspectMaxGoroutines: config.inspectMaxGoroutines,
      deadlockAfterMs: config.deadlockAfter,
      ...(config.metricsUrl ? { metricsUrl: config.metricsUrl } : {}),
      metricsFlushMs: 10_000,
      analysisCooldownMs: 10 * 60_000,
    },
    send: (message) => shipper.send(message),
    metrics,
    log,
  });

  const observe = new ObserveServer(metrics.registry);
  const bound = await observe.listen(config.metricsListen);
  await agent.start();
  log(
    `${AGENT_VERSION}: watching ${agent.targets().length} target(s)${config.discover ? ' and discovering' : ''}; ` +
      `shipping to ${formatHostPort(config.aggregator)}; spool ${spoolDir}; metrics on http://${formatHostPort({ host: bound.address, port: bound.port })}/metrics`,
  );

  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  log('stopping: flushing captures in flight and the spool');
  await agent.stop();
  await shipper.stop({ deadlineMs: SHUTDOWN_FLUSH_MS });
  await spool.close();
  await observe.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`fatal: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
