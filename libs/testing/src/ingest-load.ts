import type { AgentMessage } from '@stackwatch/contract';
import { openIngestStream, type IngestStream } from './ingest-client';

/**
 * Many simulated agents streaming to one aggregator at once, each on its own gRPC connection,
 * replaying real profiles on an agent's schedule: its target status first, then a metric batch
 * every `metricsEveryMs` (one point per metric per second, as the agent samples), a CPU window every
 * `cpuEveryMs` and a heap and a goroutine profile every `baselineEveryMs`. Each agent starts at a
 * random phase so they do not move in lockstep. Used by the load test and `npm run bench:load`.
 */
export interface IngestLoadOptions {
  readonly address: string;
  readonly agents: number;
  readonly durationMs: number;
  readonly profiles: { readonly cpu: readonly Buffer[]; readonly heap: readonly Buffer[]; readonly goroutine: readonly Buffer[] };
  readonly metricsEveryMs?: number;
  readonly cpuEveryMs?: number;
  readonly baselineEveryMs?: number;
  readonly token?: string;
  /** Called once a second with the run's progress so far. */
  readonly onTick?: (progress: IngestLoadResult) => void;
}

export interface IngestLoadResult {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly acked: number;
  readonly rejected: number;
  /** Messages without an answer within the deadline, and streams that ended with an error. */
  readonly failures: readonly string[];
  /** Send → ack latencies, ms (the ingest lag as an agent sees it). */
  readonly latenciesMs: readonly number[];
  readonly profilesSent: number;
}

/**
 * Busier than an agent's defaults (a baseline every 5 minutes), so that a short run carries real
 * load: what the load test and bench:load use.
 */
export const BUSY_AGENT_SCHEDULE = { metricsEveryMs: 10_000, cpuEveryMs: 20_000, baselineEveryMs: 30_000 } as const;

const METRIC_NAMES = ['cpu_percent', 'memory_percent', 'rss_bytes', 'goroutines', 'threads', 'gc_heap_percent'];

export async function runIngestLoad(options: IngestLoadOptions): Promise<IngestLoadResult> {
  const { agents, durationMs, profiles } = options;
  const metricsEveryMs = options.metricsEveryMs ?? 10_000;
  const cpuEveryMs = options.cpuEveryMs ?? 30_000;
  const baselineEveryMs = options.baselineEveryMs ?? 60_000;
  const started = Date.now();
  const failures: string[] = [];
  const latenciesMs: number[] = [];
  let sent = 0;
  let acked = 0;
  let rejected = 0;
  let profilesSent = 0;
  const inFlight = new Set<Promise<void>>();
  const progress = (): IngestLoadResult => ({ elapsedMs: Date.now() - started, sent, acked, rejected, failures, latenciesMs, profilesSent });

  const streams: IngestStream[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    for (let a = 0; a < agents; a++) {
      const stream = openIngestStream(options.address);
      streams.push(stream);
      void stream.ended.then((status) => {
        if (status.code !== 0 && Date.now() - started < durationMs) failures.push(`agent ${a}: stream ended ${status.code} ${status.details}`);
      });
    }
    await Promise.all(streams.map((s, a) => s.hello(options.token, `load-agent-${a}`)));

    let seq = 0;
    const send = (a: number, message: AgentMessage, id: string) => {
      sent++;
      const at = Date.now();
      const answered = streams[a]
        .send(message, 120_000)
        .then(
          (answer) => {
            if (answer.ack) {
              acked++;
              latenciesMs.push(Date.now() - at);
            } else {
              rejected++;
              failures.push(`${id}: rejected ${answer.reject?.reason}: ${answer.reject?.message}`);
            }
          },
          (err: Error) => void failures.push(`${id}: ${err.message}`),
        )
        .finally(() => inFlight.delete(answered));
      inFlight.add(answered);
    };
    const target = (a: number) => ({ service: `load-svc-${a % 20}`, instance: `load-${a}`, labels: { zone: `z${a % 3}` }, pid: 1000 + a, go_version: 'go1.26.8', url: '' });
    const profile = (a: number, type: 'cpu' | 'heap' | 'goroutine', bytes: Buffer) => {
      const id = `load-${a}-${seq++}`;
      profilesSent++;
      send(a, { profile: { id, target: target(a), type, pprof_gzip: bytes, start_unix_ms: Date.now(), duration_ms: type === 'cpu' ? 10_000 : 0, trigger: { baseline: {} } } }, id);
    };
    const pick = (list: readonly Buffer[]) => list[Math.floor(Math.random() * list.length)];

    for (let a = 0; a < agents; a++) {
      const id = `load-${a}-status-${seq++}`;
      send(a, { target_status: { id, target: target(a), time_unix_ms: Date.now(), state: 'TARGET_STATE_UP', detail: '' } }, id);
      const every = (periodMs: number, work: () => void) => {
        const first = setTimeout(() => {
          work();
          timers.push(setInterval(work, periodMs));
        }, Math.random() * periodMs);
        timers.push(first);
      };
      every(metricsEveryMs, () => {
        const now = Date.now();
        const points = [];
        for (let s = metricsEveryMs / 1000; s > 0; s--) {
          for (const name of METRIC_NAMES) points.push({ name, value: Math.random() * 100, time_unix_ms: now - s * 1000 });
        }
        const mid = `load-${a}-m-${seq++}`;
        send(a, { metrics: { id: mid, target: target(a), points } }, mid);
      });
      every(cpuEveryMs, () => profile(a, 'cpu', pick(profiles.cpu)));
      every(baselineEveryMs, () => {
        profile(a, 'heap', pick(profiles.heap));
        profile(a, 'goroutine', pick(profiles.goroutine));
      });
    }

    const ticker = setInterval(() => options.onTick?.(progress()), 1_000);
    timers.push(ticker);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    for (const t of timers) clearTimeout(t);
    // What was sent is still answered (or counted as failed at its deadline).
    await Promise.all([...inFlight]);
    return progress();
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const s of streams) s.close();
  }
}

/** The p-th percentile (0–100) of some numbers, nearest rank; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
