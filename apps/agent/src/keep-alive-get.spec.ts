import { freePort, waitFor } from '@stackwatch/testing';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { KeepAliveGet } from './keep-alive-get';

const listen = async <S extends HttpServer | TcpServer>(server: S): Promise<URL> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/`);
};
const close = (server: HttpServer | TcpServer) => new Promise((resolve) => server.close(resolve));

/** A raw TCP server answering each request (any bytes ending in a blank line) with `answer(n)`. */
async function rawServer(answer: (n: number, socket: Socket) => string | undefined): Promise<{ url: URL; server: TcpServer; connections: Socket[] }> {
  const connections: Socket[] = [];
  let n = 0;
  const server = createTcpServer((socket) => {
    connections.push(socket);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        const text = answer(n++, socket);
        if (text !== undefined) socket.write(text);
      }
    });
    socket.on('error', () => undefined);
  });
  return { url: await listen(server), server, connections };
}

describe('KeepAliveGet', () => {
  it('asks over one kept connection and reads Content-Length and chunked bodies', async () => {
    const seen: { url: string; host: string; socketPort: number }[] = [];
    let chunked = false;
    const server = createHttpServer((req, res) => {
      seen.push({ url: req.url ?? '', host: req.headers.host ?? '', socketPort: req.socket.remotePort ?? 0 });
      if (chunked) {
        res.write('goroutine 7 ');
        res.end('threadcreate 12');
      } else res.end('count 3');
    });
    const url = await listen(server);
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      expect(await get.get(1_000)).toEqual({ status: 200, body: Buffer.from('count 3') });
      chunked = true;
      expect((await get.get(1_000)).body.toString()).toBe('goroutine 7 threadcreate 12');
      expect((await get.get(1_000)).body.toString()).toBe('goroutine 7 threadcreate 12');
      expect(seen.map((s) => s.url)).toEqual(['/debug/pprof/', '/debug/pprof/', '/debug/pprof/']);
      expect(seen[0].host).toBe(url.host);
      expect(new Set(seen.map((s) => s.socketPort)).size).toBe(1);
    } finally {
      get.close();
      await close(server);
    }
  });

  it('resolves any status, with its body', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(404).end('404 page not found'));
    const url = await listen(server);
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      expect(await get.get(1_000)).toEqual({ status: 404, body: Buffer.from('404 page not found') });
    } finally {
      get.close();
      await close(server);
    }
  });

  it('reads a body that ends with the connection, then connects anew', async () => {
    const { url, server, connections } = await rawServer((n, socket) => {
      socket.end(`HTTP/1.0 200 OK\r\n\r\nanswer ${n}`);
      return undefined;
    });
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      expect((await get.get(1_000)).body.toString()).toBe('answer 0');
      expect((await get.get(1_000)).body.toString()).toBe('answer 1');
      expect(connections).toHaveLength(2);
    } finally {
      get.close();
      await close(server);
    }
  });

  it('asks again on a new connection when the target closed the idle one', async () => {
    const { url, server, connections } = await rawServer((n) => `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`);
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      expect((await get.get(1_000)).body.toString()).toBe('0');
      connections[0].destroy(); // an idle timeout on the target's side
      expect((await get.get(1_000)).body.toString()).toBe('1');
      expect(connections).toHaveLength(2);
    } finally {
      get.close();
      await close(server);
    }
  });

  it('times out, drops the connection, and never takes a late answer for the next request', async () => {
    const { url, server, connections } = await rawServer((n, socket) => {
      if (n === 0) {
        setTimeout(() => socket.writable && socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate'), 300);
        return undefined;
      }
      return 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh';
    });
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      await expect(get.get(100)).rejects.toMatchObject({ failure: 'timeout', message: 'GET /debug/pprof/: no answer within 100 ms' });
      expect((await get.get(1_000)).body.toString()).toBe('fresh');
      expect(connections).toHaveLength(2);
    } finally {
      get.close();
      await close(server);
    }
  });

  it('refuses an answer over its byte bound', async () => {
    const server = createHttpServer((_req, res) => res.end('x'.repeat(5_000)));
    const url = await listen(server);
    const get = new KeepAliveGet(url, { maxBytes: 1_000 });
    try {
      await expect(get.get(1_000)).rejects.toMatchObject({ failure: 'too_large', message: 'GET /debug/pprof/: answer over the 1000-byte bound' });
    } finally {
      get.close();
      await close(server);
    }
  });

  it('says what failed: connection refused, garbage, a close mid-answer', async () => {
    const refused = new KeepAliveGet(new URL(`http://127.0.0.1:${await freePort()}/debug/pprof/`), { maxBytes: 1024 });
    await expect(refused.get(1_000)).rejects.toMatchObject({ failure: 'unavailable', message: 'GET /debug/pprof/: connection refused' });

    const garbage = await rawServer(() => 'SSH-2.0-OpenSSH_9.2\r\n\r\n');
    const get = new KeepAliveGet(garbage.url, { maxBytes: 1024 });
    await expect(get.get(1_000)).rejects.toThrow(/^GET \/debug\/pprof\/: not an HTTP answer/);
    get.close();
    await close(garbage.server);

    const cut = await rawServer((_n, socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part');
      return undefined;
    });
    const cutGet = new KeepAliveGet(cut.url, { maxBytes: 1024 });
    await expect(cutGet.get(1_000)).rejects.toThrow('GET /debug/pprof/: connection closed by the target');
    cutGet.close();
    await close(cut.server);
  });

  it('one request at a time; close() aborts the one in flight', async () => {
    const { url, server, connections } = await rawServer(() => undefined); // never answers
    const get = new KeepAliveGet(url, { maxBytes: 1024 });
    try {
      const first = get.get(5_000);
      await expect(get.get(1_000)).rejects.toThrow('GET /debug/pprof/: a request is already in flight');
      await waitFor('the connection', () => connections.length === 1, { timeoutMs: 2_000 });
      get.close();
      await expect(first).rejects.toMatchObject({ failure: 'aborted' });
    } finally {
      await close(server);
    }
  });

  it('speaks plain HTTP only', () => {
    expect(() => new KeepAliveGet(new URL('https://127.0.0.1:1/'), { maxBytes: 1 })).toThrow('KeepAliveGet speaks plain HTTP only, not https:');
  });
});
