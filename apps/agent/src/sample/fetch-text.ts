import type { KeepAliveGet } from '../keep-alive-get';
import { httpGet, TargetHttpError } from '../target-http';
import { TargetUnavailableError } from './target-unavailable-error';

/** Index pages and MemStats are small; anything this big is not what we asked for. */
export const MAX_TEXT_BYTES = 8 * 1024 * 1024;

/**
 * GET `url` as text within `timeoutMs` (body included), through `via` when the caller keeps a
 * connection for this URL. Rejects with TargetUnavailableError saying what went wrong: connection
 * refused, timeout, or the HTTP status.
 */
export async function fetchText(url: URL, timeoutMs: number, targetKey = url.origin, via?: KeepAliveGet): Promise<string> {
  let answer;
  try {
    answer = via ? await via.get(timeoutMs) : await httpGet(url, { timeoutMs, maxBytes: MAX_TEXT_BYTES });
  } catch (err) {
    if (err instanceof TargetHttpError) throw new TargetUnavailableError(targetKey, err.message, { cause: err });
    throw err;
  }
  if (answer.status < 200 || answer.status > 299) {
    throw new TargetUnavailableError(targetKey, `GET ${url.pathname}: HTTP ${answer.status}`);
  }
  return answer.body.toString('utf8');
}
