import { TargetUnavailableError } from './target-unavailable-error';

/** Node's fetch wraps socket errors in `TypeError('fetch failed')`; the errno code is in its cause. */
const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  UND_ERR_SOCKET: 'connection closed by the target',
  UND_ERR_CLOSED: 'connection closed by the target',
};

function describeFailure(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = error?.cause?.code;
  if (code && REASONS[code]) return REASONS[code];
  return error?.cause?.message ?? error?.message ?? String(err);
}

/**
 * GET `url` as text within `timeoutMs` (body included). Rejects with TargetUnavailableError saying
 * what went wrong: connection refused, timeout, or the HTTP status.
 */
export async function fetchText(url: URL, timeoutMs: number, targetKey = url.origin): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new TargetUnavailableError(targetKey, `GET ${url.pathname}: ${describeFailure(err, timeoutMs)}`, { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new TargetUnavailableError(targetKey, `GET ${url.pathname}: HTTP ${response.status}`);
  }
  try {
    return await response.text();
  } catch (err) {
    throw new TargetUnavailableError(targetKey, `GET ${url.pathname}: ${describeFailure(err, timeoutMs)}`, { cause: err });
  }
}
