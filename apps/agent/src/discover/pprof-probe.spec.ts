import { freePort } from '@stackwatch/testing';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { probePprofIndex } from './pprof-probe';

const indexPage = readFileSync(join(__dirname, '..', 'sample', '__fixtures__', 'pprof-index-go1.19.html'), 'utf8');

describe('probePprofIndex', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/pprof/debug/pprof/') res.end(indexPage);
      else if (req.url === '/html/debug/pprof/') res.end('<html>a web app</html>');
      else if (req.url === '/redirect/debug/pprof/') res.writeHead(302, { location: 'http://192.0.2.1/debug/pprof/' }).end();
      else if (req.url === '/slow/debug/pprof/') setTimeout(() => res.end(indexPage), 2_000).unref();
      else res.writeHead(404).end('404 page not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['/pprof/', 'pprof'],
    ['/html/', 'other'],
    ['/missing/', 'other'],
    ['/redirect/', 'other'], // never followed off the machine
    ['/slow/', 'unreachable'],
  ])('%s → %s', async (path, result) => {
    expect(await probePprofIndex(new URL(path, base), 300)).toBe(result);
  });

  it('a closed port is unreachable', async () => {
    expect(await probePprofIndex(new URL(`http://127.0.0.1:${await freePort()}/`), 300)).toBe('unreachable');
  });
});
