import { parsePprofIndex, PprofIndexError } from '../sample/pprof-index';
import { httpGet } from '../target-http';

/**
 * - `pprof`: the URL serves a Go /debug/pprof/ index;
 * - `other`: something answered, but not a pprof index (no need to ask again);
 * - `unreachable`: no answer in time, or the connection failed (it may be starting: ask again later).
 */
export type ProbeResult = 'pprof' | 'other' | 'unreachable';

/** One bounded GET of `<base>/debug/pprof/` (redirects are not followed). Never rejects. */
export async function probePprofIndex(base: URL, timeoutMs: number): Promise<ProbeResult> {
  let answer;
  try {
    answer = await httpGet(new URL('debug/pprof/', base), { timeoutMs, maxBytes: 1024 * 1024 });
  } catch {
    return 'unreachable';
  }
  if (answer.status !== 200) return 'other';
  try {
    parsePprofIndex(answer.body.toString('utf8'));
    return 'pprof';
  } catch (err) {
    if (err instanceof PprofIndexError) return 'other';
    throw err;
  }
}
