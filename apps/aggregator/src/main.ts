import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerCredentials } from '@grpc/grpc-js';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { CliExit, ConfigError, formatHostPort, parseCommandLine, reportCliExit, USAGE_EXIT_CODE } from '@stackwatch/config';
import type { HealthImplementation } from 'grpc-health-check';
import { AppModule } from './app.module';
import { aggregatorOptions, type AggregatorConfig } from './config/aggregator-config';
import { describeStore } from './config/store-url';
import { GRPC_HEALTH } from './health/grpc-health';
import { grpcServerCredentials } from './ingest/grpc-credentials';
import { IngestGrpcServer } from './ingest/grpc-ingest-server';
import { StderrLogger } from './observe/stderr-logger';
import { AGGREGATOR_VERSION } from './version';

const NAME = 'stackwatch-aggregator';
/** Bound on the whole shutdown (ingest flush, servers, store): past it the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

const log = (line: string) => process.stderr.write(`${NAME}: ${line}\n`);

/** Composition root: config → Nest application (HTTP) + gRPC ingest microservice → run until SIGINT/SIGTERM. */
async function main(argv: readonly string[]): Promise<number> {
  let config: AggregatorConfig;
  let credentials: ServerCredentials;
  try {
    config = parseCommandLine(
      { name: NAME, summary: 'Stores the fleet’s profiles and events and answers questions about them.', version: AGGREGATOR_VERSION },
      aggregatorOptions,
      argv,
      process.env,
    );
    credentials = grpcServerCredentials(config);
  } catch (err) {
    if (err instanceof ConfigError) return reportCliExit(new CliExit(USAGE_EXIT_CODE, `${NAME}: ${err.message}\n`));
    return reportCliExit(err);
  }

  // abortOnError off: a store that cannot be opened is reported by our fatal handler, not process.abort().
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: new StderrLogger(), abortOnError: false });
  const grpc = new IngestGrpcServer({ url: formatHostPort(config.grpcListen), credentials, health: app.get<HealthImplementation>(GRPC_HEALTH) });
  app.connectMicroservice<MicroserviceOptions>({ strategy: grpc }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.httpListen.port, config.httpListen.host);

  const bound = (app.getHttpServer() as Server).address() as AddressInfo;
  log(
    `store ${describeStore(config.store)}${config.token !== undefined ? ', agent token required' : ''}${config.tlsCert !== undefined ? ', TLS' : ''}` +
      `${config.apiToken !== undefined ? ', API token required' : ''}`,
  );
  log(`gRPC on ${formatHostPort({ host: config.grpcListen.host, port: grpc.port ?? config.grpcListen.port })}`);
  log(`HTTP on http://${formatHostPort({ host: bound.address, port: bound.port })}`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log(`${signal}: flushing ingest, then stopping`);
  const deadline = setTimeout(() => {
    log(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  deadline.unref();
  // Ingest stops reading and acks what the store commits, then the servers close, then the store.
  await app.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${NAME}: fatal: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
