import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { SampleMetric, TargetIdentity, TargetSample } from '../target';

const TARGET_LABELS = ['service', 'instance', 'target', 'proc_access'] as const;

/**
 * The agent's Prometheus metrics, in a registry of its own (no global state). The ship stage
 * registers its spool and send metrics on the same registry.
 */
export class AgentMetrics {
  readonly registry = new Registry();

  private readonly gauges: Record<SampleMetric, Gauge<(typeof TARGET_LABELS)[number]>>;
  /** Label sets used per target key, so a target that goes away can be removed exactly. */
  private readonly seriesByTarget = new Map<string, Map<string, Record<string, string>>>();

  readonly targetUp = new Gauge({
    name: 'stackwatch_target_up',
    help: '1 when the last sample of the target succeeded, else 0.',
    labelNames: ['service', 'instance', 'target'],
    registers: [this.registry],
  });

  readonly samples = new Counter({
    name: 'stackwatch_samples_total',
    help: 'Successful samples, by target.',
    labelNames: ['target'],
    registers: [this.registry],
  });

  readonly sampleErrors = new Counter({
    name: 'stackwatch_sample_errors_total',
    help: 'Failed samples, by target.',
    labelNames: ['target'],
    registers: [this.registry],
  });

  readonly ruleTriggers = new Counter({
    name: 'stackwatch_rule_triggers_total',
    help: 'Detection rules that fired, by rule.',
    labelNames: ['rule'],
    registers: [this.registry],
  });

  readonly findings = new Counter({
    name: 'stackwatch_findings_total',
    help: 'Analysis findings (goroutine_leak, deadlock, thread_block), by kind.',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly captures = new Counter({
    name: 'stackwatch_captures_total',
    help: 'Profile captures, by profile type and outcome (ok, busy, error, timeout, too_large, unavailable, no_window).',
    labelNames: ['type', 'outcome'],
    registers: [this.registry],
  });

  readonly targets = new Gauge({
    name: 'stackwatch_targets',
    help: 'Targets being watched.',
    registers: [this.registry],
  });

  constructor() {
    const gauge = (metric: SampleMetric, help: string) =>
      new Gauge({ name: `stackwatch_target_${metric}`, help, labelNames: TARGET_LABELS, registers: [this.registry] });
    this.gauges = {
      cpu_percent: gauge('cpu_percent', 'CPU use of the target, percent of its CPU limit (cgroup quota, else host cores).'),
      memory_percent: gauge('memory_percent', 'RSS of the target, percent of its memory limit (cgroup, else host memory).'),
      rss_bytes: gauge('rss_bytes', 'Resident set size of the target.'),
      goroutines: gauge('goroutines', 'Goroutines of the target (runtime.NumGoroutine).'),
      threads: gauge('threads', 'OS threads of the target.'),
      gc_heap_percent: gauge('gc_heap_percent', 'NextGC/2 of the target, percent of its memory limit.'),
    };
    // Event-loop lag is sampled every 500 ms instead of prom-client's 10 ms: the agent's own
    // timer wake-ups are a visible part of its CPU budget.
    collectDefaultMetrics({ register: this.registry, prefix: 'stackwatch_agent_', eventLoopMonitoringPrecision: 500 });
  }

  /** Sets the per-target gauges from one sample. */
  recordSample(key: string, identity: TargetIdentity, sample: TargetSample): void {
    const labels = { service: identity.service, instance: identity.instance, target: key, proc_access: String(sample.procAccess) };
    for (const [metric, value] of Object.entries(sample.values) as Array<[SampleMetric, number | undefined]>) {
      if (value !== undefined) this.gauges[metric].set(labels, value);
    }
    const upLabels = { service: identity.service, instance: identity.instance, target: key };
    this.targetUp.set(upLabels, 1);
    this.samples.inc({ target: key });
    let series = this.seriesByTarget.get(key);
    if (!series) this.seriesByTarget.set(key, (series = new Map<string, Record<string, string>>()));
    series.set(JSON.stringify(labels), labels);
  }

  /** Marks a target down (its last sample failed). */
  recordFailure(key: string, identity: TargetIdentity): void {
    this.targetUp.set({ service: identity.service, instance: identity.instance, target: key }, 0);
    this.sampleErrors.inc({ target: key });
  }

  /** Drops every series of a target that is gone, so dashboards do not show stale values. */
  forgetTarget(key: string, identity: TargetIdentity): void {
    for (const labels of this.seriesByTarget.get(key)?.values() ?? []) {
      for (const gauge of Object.values(this.gauges)) gauge.remove(labels);
    }
    this.seriesByTarget.delete(key);
    this.targetUp.remove({ service: identity.service, instance: identity.instance, target: key });
    this.samples.remove({ target: key });
    this.sampleErrors.remove({ target: key });
  }
}
