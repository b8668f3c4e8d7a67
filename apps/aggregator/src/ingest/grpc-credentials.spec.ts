import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { ConfigError } from '@stackwatch/config';
import { grpcServerCredentials } from './grpc-credentials';

describe('grpcServerCredentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-tls-spec-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');

  beforeAll(() => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function failure(config: Parameters<typeof grpcServerCredentials>[0]): ConfigError {
    try {
      grpcServerCredentials(config);
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('expected a ConfigError');
  }

  it('serves plaintext when no TLS flag is given', () => {
    expect(grpcServerCredentials({})._isSecure()).toBe(false);
  });

  it('serves TLS with a certificate and key, mutual TLS with a client CA', () => {
    expect(grpcServerCredentials({ tlsCert: cert, tlsKey: key })).toBeInstanceOf(ServerCredentials);
    expect(grpcServerCredentials({ tlsCert: cert, tlsKey: key })._isSecure()).toBe(true);
    expect(grpcServerCredentials({ tlsCert: cert, tlsKey: key, tlsClientCa: cert })._isSecure()).toBe(true);
  });

  it('names the flag that is missing or unreadable', () => {
    expect(failure({ tlsCert: cert }).message).toBe('invalid --tls-cert/--tls-key: give both to serve TLS (--tls-client-ca needs them too)');
    expect(failure({ tlsClientCa: cert }).field).toBe('tls-cert');
    const missing = failure({ tlsCert: cert, tlsKey: join(dir, 'nope.pem') });
    expect(missing.field).toBe('tls-key');
    expect(missing.message).toMatch(/^invalid --tls-key ".*nope\.pem": cannot read it: ENOENT/);
  });
});
