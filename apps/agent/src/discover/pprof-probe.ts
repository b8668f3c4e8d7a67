import { parsePprofIndex, PprofIndexError } from '../sample/pprof-index';

/**
 * - `pprof`: the URL serves a Go /debug/pprof/ index;
 * - `other`: something answered, but not a pprof index (no need to ask again);
 * - `unreachable`: no answer in time, or the connection failed (it may be starting: ask again later).
 */
export type ProbeResult = 'pprof' | 'other' | 'unreachable';

/** One bounded GET of `<base>/debug/pprof/`. Never rejects. */
export async function probePprofIndex(base: URL, timeoutMs: number): Promise<ProbeResult> {
  try {
    // redirect: manual, so a probe never follows a redirect off this machine.
    const response = await fetch(new URL('debug/pprof/', base), { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (!response.ok) {
      await response.body?.cancel();
      return 'other';
    }
    parsePprofIndex(await response.text());
    return 'pprof';
  } catch (err) {
    return err instanceof PprofIndexError ? 'other' : 'unreachable';
  }
}
