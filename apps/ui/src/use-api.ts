import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/**
 * Runs `load` whenever `key` changes, cancelling the previous run; the latest answer wins, and an
 * answer for another key is never shown (no flash of the previous view's data).
 */
export function useLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [result, setResult] = useState<{ key: string; loaded: Loaded<T> }>({ key, loaded: { state: 'loading' } });
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).then(
      (value) => {
        if (!abort.signal.aborted) setResult({ key, loaded: { state: 'ready', value } });
      },
      (err: Error) => {
        if (!abort.signal.aborted) setResult({ key, loaded: { state: 'error', message: err.message } });
      },
    );
    return () => abort.abort();
    // `load` is rebuilt every render; `key` says when its inputs changed.
  }, [key]);
  return result.key === key ? result.loaded : { state: 'loading' };
}
