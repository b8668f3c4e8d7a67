import { connect, type Socket } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { socketFailureReason, TargetHttpError, type HttpAnswer } from './target-http';

export interface KeepAliveGetOptions {
  /** The body is refused past this size. */
  readonly maxBytes: number;
}

interface Pending {
  readonly resolve: (answer: HttpAnswer) => void;
  readonly reject: (err: TargetHttpError) => void;
  readonly timer: NodeJS.Timeout;
  /** A response byte has arrived: a failure now is not a stale keep-alive connection. */
  answered: boolean;
}

/**
 * One plain-HTTP keep-alive connection for a GET the agent repeats every interval (the pprof index
 * page of a target). node:http spends about 0.3 ms of CPU per request on this machine in its
 * request/response objects and streams, as much as the socket I/O itself: with ten targets
 * sampled every second that was half the agent's cost (docs/benchmarks.md). Here the request is
 * a prebuilt buffer written on a kept-open socket and the response is parsed by http-parser-js
 * (status, Content-Length or chunked body). One request at a time; redirects are not followed.
 */
export class KeepAliveGet {
  private readonly request: Buffer;
  private readonly what: string;
  private socket: Socket | undefined;
  private servedOnSocket = 0;
  private pending: Pending | undefined;
  private parser = new HTTPParser(HTTPParser.RESPONSE);
  private status = 0;
  private chunks: Buffer[] = [];
  private size = 0;
  private closeAfterAnswer = false;

  constructor(
    private readonly url: URL,
    private readonly options: KeepAliveGetOptions,
  ) {
    if (url.protocol !== 'http:') throw new Error(`KeepAliveGet speaks plain HTTP only, not ${url.protocol}`);
    const path = `${url.pathname}${url.search}`;
    this.what = `GET ${path}`;
    this.request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: stackwatch-agent\r\nAccept-Encoding: identity\r\n\r\n`, 'latin1');
  }

  /** A KeepAliveGet for a plain-HTTP URL; undefined for any other (HTTPS goes through node:https). */
  static forPlainHttp(url: URL, options: KeepAliveGetOptions): KeepAliveGet | undefined {
    return url.protocol === 'http:' ? new KeepAliveGet(url, options) : undefined;
  }

  /** GETs the URL; resolves with any HTTP status, rejects with TargetHttpError saying what failed. */
  get(timeoutMs: number): Promise<HttpAnswer> {
    if (this.pending) return Promise.reject(new TargetHttpError(`${this.what}: a request is already in flight`, 'unavailable'));
    return this.send(timeoutMs, true);
  }

  /** Closes the connection; a request in flight is rejected as aborted. */
  close(): void {
    this.fail(new TargetHttpError(`${this.what}: aborted`, 'aborted'));
    this.dropSocket();
  }

  private send(timeoutMs: number, mayRetry: boolean): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const socket = this.socket ?? this.openSocket();
      const reused = this.servedOnSocket > 0;
      const timer = setTimeout(() => {
        // A late answer must not be taken for the next request's: the connection goes.
        this.fail(new TargetHttpError(`${this.what}: no answer within ${timeoutMs} ms`, 'timeout'));
        this.dropSocket();
      }, timeoutMs);
      const pending: Pending = {
        resolve,
        reject: (err) => {
          // A kept-alive connection the target closed while idle fails before any answer:
          // that is not the target failing, so the request goes once more on a new connection.
          if (mayRetry && reused && !pending.answered && err.failure === 'unavailable') {
            this.send(timeoutMs, false).then(resolve, reject);
          } else reject(err);
        },
        timer,
        answered: false,
      };
      this.pending = pending;
      this.resetParser();
      socket.ref();
      socket.write(this.request);
    });
  }

  private openSocket(): Socket {
    const socket = connect({ host: this.url.hostname.replace(/^\[|\]$/g, ''), port: Number(this.url.port || 80), noDelay: true });
    this.socket = socket;
    this.servedOnSocket = 0;
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      if (this.pending) this.pending.answered = true;
      const result = this.parser.execute(chunk);
      if (result instanceof Error) {
        this.fail(new TargetHttpError(`${this.what}: not an HTTP answer (${result.message})`, 'unavailable'));
        this.dropSocket();
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (socket !== this.socket) return;
      this.fail(new TargetHttpError(`${this.what}: ${socketFailureReason(err)}`, 'unavailable', { cause: err }));
      this.dropSocket();
    });
    socket.on('close', () => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      // A body that runs to the end of the connection (no length, not chunked) ends here.
      if (this.pending?.answered) this.parser.finish();
      this.fail(new TargetHttpError(`${this.what}: connection closed by the target`, 'unavailable'));
    });
    return socket;
  }

  private resetParser(): void {
    this.parser = new HTTPParser(HTTPParser.RESPONSE);
    this.status = 0;
    this.chunks = [];
    this.size = 0;
    this.closeAfterAnswer = false;
    this.parser[HTTPParser.kOnHeadersComplete] = (info) => {
      this.status = info.statusCode;
      this.closeAfterAnswer = !info.shouldKeepAlive;
    };
    this.parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      this.size += length;
      if (this.size > this.options.maxBytes) {
        this.fail(new TargetHttpError(`${this.what}: answer over the ${this.options.maxBytes}-byte bound`, 'too_large'));
        this.dropSocket();
      } else this.chunks.push(Buffer.from(chunk.subarray(offset, offset + length)));
    };
    this.parser[HTTPParser.kOnMessageComplete] = () => {
      const pending = this.pending;
      if (!pending) return;
      this.pending = undefined;
      clearTimeout(pending.timer);
      this.servedOnSocket++;
      const answer = { status: this.status, body: Buffer.concat(this.chunks, this.size) };
      this.chunks = [];
      if (this.closeAfterAnswer) this.dropSocket();
      else this.socket?.unref();
      pending.resolve(answer);
    };
  }

  private fail(err: TargetHttpError): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
