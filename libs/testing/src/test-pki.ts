import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of a throwaway certificate authority and the certificates it signed (PEM paths). */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/**
 * A throwaway CA (one day) under `dir`, with a server certificate for `localhost` and a client
 * certificate (CN `agent-1`) signed by it, made with the openssl command line. Connect to
 * "localhost", not 127.0.0.1: Node refuses an IP address as TLS server name (RFC 6066).
 */
export function createTestPki(dir: string): TestPki {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`openssl ${args[0]} failed (apt-get install openssl): ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
  };
  const file = (name: string) => join(dir, name);
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=stackwatch-test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  for (const [name, cn] of [['server', 'localhost'], ['client', 'agent-1']]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    writeFileSync(file(`${name}.ext`), 'subjectAltName=DNS:localhost\n');
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  }
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key') };
}
