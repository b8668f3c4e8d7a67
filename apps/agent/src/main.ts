import { CliExit, formatHostPort, parseCommandLine } from '@stackwatch/config';
import { agentOptions } from './agent-config';
import { AgentMetrics } from './observe/agent-metrics';
import { ObserveServer } from './observe/observe-server';
import { IndexSampler } from './sample/index-sampler';
import { AGENT_VERSION } from './version';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} stackwatch-agent: ${line}\n`);

/** Composition root: config → wiring → run until SIGINT/SIGTERM. */
async function main(argv: readonly string[]): Promise<number> {
  let config;
  try {
    config = parseCommandLine(
      { name: 'stackwatch-agent', summary: 'Watches local Go processes through their pprof endpoints.', version: AGENT_VERSION },
      agentOptions,
      argv,
      process.env,
    );
  } catch (err) {
    if (!(err instanceof CliExit)) throw err;
    (err.code === 0 ? process.stdout : process.stderr).write(err.output);
    return err.code;
  }

  const metrics = new AgentMetrics();
  const observe = new ObserveServer(metrics.registry);
  const bound = await observe.listen(config.metricsListen);
  const sampler = new IndexSampler(config.target, config.interval, metrics, log);
  sampler.start();
  log(`watching ${config.target.length} target(s); metrics on http://${formatHostPort({ host: bound.address, port: bound.port })}/metrics`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping');
  await sampler.stop();
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
