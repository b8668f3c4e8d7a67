import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { formatHostPort, parseCommandLine, reportCliExit } from '@stackwatch/config';
import { AppModule } from './app.module';
import { aggregatorOptions } from './config/aggregator-config';
import { AGGREGATOR_VERSION } from './version';

/** Composition root: config → Nest application → run until SIGINT/SIGTERM. */
async function main(argv: readonly string[]): Promise<number> {
  let config;
  try {
    config = parseCommandLine(
      { name: 'stackwatch-aggregator', summary: 'Stores the fleet’s profiles and events and answers questions about them.', version: AGGREGATOR_VERSION },
      aggregatorOptions,
      argv,
      process.env,
    );
  } catch (err) {
    return reportCliExit(err);
  }

  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['warn', 'error'] });
  await app.listen(config.httpListen.port, config.httpListen.host);
  const bound = (app.getHttpServer() as Server).address() as AddressInfo;
  process.stderr.write(`stackwatch-aggregator: HTTP on http://${formatHostPort({ host: bound.address, port: bound.port })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`stackwatch-aggregator: fatal: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
