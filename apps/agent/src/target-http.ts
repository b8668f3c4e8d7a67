import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * The one HTTP client the agent uses towards its targets. Plain node:http with keep-alive:
 * the agent asks every target several times a second, and fetch's per-request machinery
 * (WHATWG streams, abort signals, a new connection each time) cost several times more CPU
 * than the sampling itself (see docs/benchmarks.md). Redirects are never followed, so a
 * request never leaves the target it was meant for.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 2, timeout: 60_000 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 2, timeout: 60_000 }),
};

export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

export type HttpFailure = 'timeout' | 'unavailable' | 'too_large' | 'aborted';

export class TargetHttpError extends Error {
  override name = 'TargetHttpError';
  constructor(
    message: string,
    readonly failure: HttpFailure,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed by the target',
};

/** What a failed connection means, in words (`connection refused`), else the error's message. */
export function socketFailureReason(err: NodeJS.ErrnoException): string {
  return REASONS[err.code ?? ''] ?? err.message;
}

export interface HttpGetOptions {
  /** Whole request, body included. */
  readonly timeoutMs: number;
  /** The body is refused past this size (Go caps debug=2 dumps at 64 MB). */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

/** GET `url`; resolves with any HTTP status, rejects with TargetHttpError saying what failed. */
export function httpGet(url: URL, { timeoutMs, maxBytes, signal }: HttpGetOptions): Promise<HttpAnswer> {
  const what = `GET ${url.pathname}${url.search}`;
  return new Promise((resolve, reject) => {
    const protocol = url.protocol as 'http:' | 'https:';
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: TargetHttpError | undefined, answer?: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(answer!);
    };
    const onAbort = () => finish(new TargetHttpError(`${what}: aborted`, 'aborted'));
    const req = send(url, { method: 'GET', agent: agents[protocol], headers: { 'accept-encoding': 'identity' } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) finish(new TargetHttpError(`${what}: answer over the ${maxBytes}-byte bound`, 'too_large'));
        else chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(new TargetHttpError(`${what}: ${err.message}`, 'unavailable', { cause: err })));
    });
    const timer = setTimeout(() => finish(new TargetHttpError(`${what}: no answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(new TargetHttpError(`${what}: ${socketFailureReason(err)}`, 'unavailable', { cause: err })),
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
