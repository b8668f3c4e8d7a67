import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** The agent's Prometheus metrics, in a registry of its own (no global state). */
export class AgentMetrics {
  readonly registry = new Registry();

  readonly targetGoroutines = new Gauge({
    name: 'stackwatch_target_goroutines',
    help: 'Goroutines of the watched process (runtime.NumGoroutine from its pprof index).',
    labelNames: ['target'],
    registers: [this.registry],
  });

  readonly targetUp = new Gauge({
    name: 'stackwatch_target_up',
    help: '1 when the last sample of the target succeeded, else 0.',
    labelNames: ['target'],
    registers: [this.registry],
  });

  readonly sampleErrors = new Counter({
    name: 'stackwatch_sample_errors_total',
    help: 'Failed samples by target.',
    labelNames: ['target'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'stackwatch_agent_' });
  }
}
