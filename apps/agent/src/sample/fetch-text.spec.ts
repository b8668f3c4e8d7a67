import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchText } from './fetch-text';
import { TargetUnavailableError } from './target-unavailable-error';

describe('fetchText', () => {
  let server: Server;
  let base: URL;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('hello');
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000).unref();
      else res.writeHead(503).end('busy');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });

  it('returns the body', async () => {
    expect(await fetchText(new URL('/ok', base), 1_000)).toBe('hello');
  });

  it('says the HTTP status', async () => {
    await expect(fetchText(new URL('/x', base), 1_000)).rejects.toThrow(`${base.origin}: GET /x: HTTP 503`);
  });

  it('says when it timed out', async () => {
    const err = await fetchText(new URL('/slow', base), 100, 'target-a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect(err).toMatchObject({ target: 'target-a', message: 'target-a: GET /slow: no answer within 100 ms' });
  });

  it('says "connection refused" when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fetchText(new URL(`http://127.0.0.1:${port}/debug/pprof/`), 1_000)).rejects.toThrow(
      `http://127.0.0.1:${port}: GET /debug/pprof/: connection refused`,
    );
  });
});
