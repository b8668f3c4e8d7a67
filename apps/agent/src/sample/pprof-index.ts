/**
 * Counts from the `/debug/pprof/` index page. The goroutine count there is
 * runtime.NumGoroutine(): cheap, with no stop-the-world, unlike a goroutine dump.
 */
export interface PprofIndex {
  /** Profile name → count, e.g. goroutine → 12, threadcreate → 9 (threads ever created). */
  readonly counts: ReadonlyMap<string, number>;
}

const ROW = /<tr><td>(\d+)<\/td><td><a href=['"]?([A-Za-z0-9_]+)\?debug=1['"]?>/g;

export class PprofIndexError extends Error {
  override name = 'PprofIndexError';
}

export function parsePprofIndex(html: string): PprofIndex {
  const counts = new Map<string, number>();
  for (const [, count, name] of html.matchAll(ROW)) counts.set(name, Number(count));
  if (!counts.has('goroutine')) {
    throw new PprofIndexError(`not a Go /debug/pprof/ index page: no goroutine row in ${JSON.stringify(html.slice(0, 80))}`);
  }
  return { counts };
}
