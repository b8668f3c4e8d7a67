import type { AgentMetrics } from '../observe/agent-metrics';
import { parsePprofIndex } from './pprof-index';

/** Reads each target's /debug/pprof/ index every interval and records its counts. */
export class IndexSampler {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Targets whose last sample failed: failures are logged on the up→down edge only. */
  private readonly down = new Set<string>();

  constructor(
    private readonly targets: readonly URL[],
    private readonly intervalMs: number,
    private readonly metrics: AgentMetrics,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    const tick = () => {
      this.inFlight = this.sampleOnce();
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
  }

  /** One round over every target; failures are recorded, never thrown. */
  async sampleOnce(): Promise<void> {
    await Promise.all(this.targets.map((target) => this.sampleOne(target)));
  }

  private async sampleOne(target: URL): Promise<void> {
    const label = target.origin;
    try {
      const response = await fetch(new URL('debug/pprof/', target), { signal: AbortSignal.timeout(this.intervalMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { counts } = parsePprofIndex(await response.text());
      this.metrics.targetGoroutines.set({ target: label }, counts.get('goroutine') ?? 0);
      this.metrics.targetUp.set({ target: label }, 1);
      if (this.down.delete(label)) this.log(`target ${label}: answering again`);
    } catch (err) {
      if (!this.down.has(label)) this.log(`target ${label}: sample failed: ${(err as Error).message}`);
      this.down.add(label);
      this.metrics.targetUp.set({ target: label }, 0);
      this.metrics.sampleErrors.inc({ target: label });
    }
  }
}
