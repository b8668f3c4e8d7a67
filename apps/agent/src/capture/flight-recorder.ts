import { sleep } from '../timing';
import { CpuProfilerBusyError, type CapturedProfile, type PprofClient } from './pprof-client';

export interface FlightRecorderOptions {
  readonly windowMs: number;
  /** Called on the first failure of a run of failures, and when recording works again. */
  readonly log: (line: string) => void;
  /** Counts each finished window attempt by outcome ("ok", "busy", "error"...). */
  readonly onWindow?: (outcome: string) => void;
}

/**
 * Keeps the target's CPU profiler running in back-to-back windows and holds the last two, so a
 * CPU event can ship the window in which the spike began instead of a profile started after
 * it. Go allows one CPU profile per process at a time: when the target answers "cpu profiling
 * already in use" (someone else is profiling), the recorder waits one window and tries again.
 */
export class FlightRecorder {
  private readonly windows: CapturedProfile[] = [];
  private readonly waiters: Array<{ endMs: number; resolve: () => void }> = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private failing = false;

  constructor(
    private readonly client: PprofClient,
    private readonly options: FlightRecorderOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.record();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** The completed windows held, oldest first (at most two). */
  recent(): readonly CapturedProfile[] {
    return [...this.windows];
  }

  /**
   * Resolves with the held windows once one that ends at or after `timeMs` has completed, so the
   * window covering that moment is among them; resolves with what there is after `timeoutMs`.
   */
  async windowsCovering(timeMs: number, timeoutMs: number): Promise<readonly CapturedProfile[]> {
    const covered = () => this.windows.some((w) => w.startMs + w.durationMs >= timeMs);
    if (!covered() && this.running) {
      await new Promise<void>((resolve) => {
        const waiter = { endMs: timeMs, resolve };
        this.waiters.push(waiter);
        setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        }, timeoutMs).unref();
      });
    }
    return this.recent();
  }

  private async record(): Promise<void> {
    const seconds = Math.max(1, Math.round(this.options.windowMs / 1000));
    while (this.running) {
      try {
        const window = await this.client.cpuProfile(seconds, this.abort.signal);
        this.windows.push(window);
        if (this.windows.length > 2) this.windows.shift();
        this.options.onWindow?.('ok');
        if (this.failing) this.options.log('flight recorder: recording again');
        this.failing = false;
        this.wake(window);
      } catch (err) {
        if (!this.running) break;
        const outcome = err instanceof CpuProfilerBusyError ? 'busy' : 'error';
        this.options.onWindow?.(outcome);
        if (!this.failing) this.options.log(`flight recorder: ${(err as Error).message}; retrying every window`);
        this.failing = true;
        await sleep(this.options.windowMs, this.abort.signal);
      }
    }
  }

  private wake(window: CapturedProfile): void {
    const end = window.startMs + window.durationMs;
    for (const waiter of [...this.waiters]) {
      if (end >= waiter.endMs) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
