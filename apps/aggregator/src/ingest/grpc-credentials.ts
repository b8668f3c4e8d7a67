import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError } from '@stackwatch/config';
import type { AggregatorConfig } from '../config/aggregator-config';

/**
 * The gRPC server's credentials from --tls-cert/--tls-key (TLS) and --tls-client-ca (mutual TLS:
 * agents must present a certificate that chains to it); plaintext when none is given.
 * Throws ConfigError naming the flag when the combination is incomplete or a file unreadable.
 */
export function grpcServerCredentials(config: Partial<Pick<AggregatorConfig, 'tlsCert' | 'tlsKey' | 'tlsClientCa'>>): ServerCredentials {
  const { tlsCert, tlsKey, tlsClientCa } = config;
  if (tlsCert === undefined && tlsKey === undefined && tlsClientCa === undefined) return ServerCredentials.createInsecure();
  if (tlsCert === undefined || tlsKey === undefined) {
    throw new ConfigError(tlsCert === undefined ? 'tls-cert' : 'tls-key', 'invalid --tls-cert/--tls-key: give both to serve TLS (--tls-client-ca needs them too)');
  }
  const cert = readPem(tlsCert, 'tls-cert');
  const key = readPem(tlsKey, 'tls-key');
  const ca = tlsClientCa === undefined ? null : readPem(tlsClientCa, 'tls-client-ca');
  try {
    return ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
  } catch (err) {
    throw new ConfigError('tls-cert', `invalid --tls-cert/--tls-key/--tls-client-ca: ${(err as Error).message}`);
  }
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(flag, `invalid --${flag} ${JSON.stringify(path)}: cannot read it: ${(err as Error).message}`);
  }
}
