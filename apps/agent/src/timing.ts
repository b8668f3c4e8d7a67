/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `body` every `periodMs(…)` until the signal aborts; the period is asked after each run. */
export async function every(signal: AbortSignal, firstDelayMs: number, periodMs: () => number, body: () => Promise<void>): Promise<void> {
  await sleep(firstDelayMs, signal);
  while (!signal.aborted) {
    const started = performance.now();
    await body();
    await sleep(Math.max(0, periodMs() - (performance.now() - started)), signal);
  }
}
