import type { KeepAliveGet } from '../keep-alive-get';
import { fetchText } from './fetch-text';
import { TargetUnavailableError } from './target-unavailable-error';

/** Where the target's NextGC comes from: its heap?debug=1 page, or its own Prometheus /metrics. */
export type NextGcSource = { readonly kind: 'heap'; readonly base: URL } | { readonly kind: 'metrics'; readonly url: URL };

/**
 * The numeric fields of the `# runtime.MemStats` block that ends heap?debug=1 (`# NextGC = N`,
 * `# HeapInuse = N`, `# NumGC = N`…). Pairs such as `# Stack = inuse / sys` keep the first number;
 * arrays and booleans are skipped.
 */
export function parseMemStats(text: string): ReadonlyMap<string, number> {
  const fields = new Map<string, number>();
  const start = text.indexOf('# runtime.MemStats');
  if (start < 0) return fields;
  for (const line of text.slice(start).split('\n').slice(1)) {
    const m = /^# (\w+) = (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?:\s|$)/.exec(line);
    if (m) fields.set(m[1], Number(m[2]));
  }
  return fields;
}

/** `go_memstats_next_gc_bytes` from a Prometheus text exposition (client_golang's Go collector). */
export function parsePrometheusNextGc(text: string): number | undefined {
  const m = /^go_memstats_next_gc_bytes(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
  const value = m ? Number(m[1]) : NaN;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Holmes' GC-heap ratio: half of the next GC goal (≈ the live heap) over the memory limit, in %. */
export function gcHeapPercent(nextGcBytes: number, memoryLimitBytes: number): number {
  return ((nextGcBytes / 2) / memoryLimitBytes) * 100;
}

/** The page NextGC is read from. */
export function nextGcUrl(source: NextGcSource): URL {
  return source.kind === 'metrics' ? source.url : new URL('debug/pprof/heap?debug=1', source.base);
}

/**
 * Fetches NextGC within `timeoutMs` (through `via`, a kept connection to nextGcUrl(source), when
 * given); rejects with TargetUnavailableError when it cannot.
 */
export async function readNextGc(source: NextGcSource, timeoutMs: number, targetKey: string, via?: KeepAliveGet): Promise<number> {
  const text = await fetchText(nextGcUrl(source), timeoutMs, targetKey, via);
  if (source.kind === 'metrics') {
    const value = parsePrometheusNextGc(text);
    if (value === undefined) throw new TargetUnavailableError(targetKey, `${source.url.href} has no go_memstats_next_gc_bytes`);
    return value;
  }
  const value = parseMemStats(text).get('NextGC');
  if (value === undefined) throw new TargetUnavailableError(targetKey, 'heap?debug=1 has no "# NextGC" line');
  return value;
}
