import type { Target__Output } from '@stackwatch/contract';
import { INGEST_LIMITS } from './ingest-limits';
import type { ValidMessage } from './message-validation';
import { RejectError } from './reject';

/**
 * How many distinct series one agent stream may introduce: targets (service, instance and label
 * set, which become rows' identity) and metric names. A buggy or hostile agent sending a new label
 * value or metric name with every message would otherwise grow the fleet's series without bound;
 * past the limit such messages are rejected `cardinality`, and what the stream already uses keeps
 * flowing. The sets are per stream, so they are bounded by the limits and freed with the stream.
 */
export class CardinalityLimit {
  private readonly targets = new Set<string>();
  private readonly metricNames = new Set<string>();

  constructor(
    private readonly maxTargets: number = INGEST_LIMITS.maxTargetsPerStream,
    private readonly maxMetricNames: number = INGEST_LIMITS.maxMetricNamesPerStream,
  ) {}

  /** Throws RejectError('cardinality') when the message would pass a limit; records what it adds otherwise. */
  admit({ message, target }: ValidMessage): void {
    const key = targetKey(target);
    const newTarget = !this.targets.has(key);
    if (newTarget && this.targets.size >= this.maxTargets) {
      throw new RejectError(
        'cardinality',
        `target ${JSON.stringify(`${target.service}/${target.instance}`)} with labels ${JSON.stringify(target.labels)} would be this stream's target number ${this.maxTargets + 1}, more than ${this.maxTargets} distinct service/instance/label sets`,
      );
    }
    const newNames = message.kind === 'metrics' ? [...new Set(message.body.points.map((p) => p.name))].filter((n) => !this.metricNames.has(n)) : [];
    if (this.metricNames.size + newNames.length > this.maxMetricNames) {
      throw new RejectError('cardinality', `metrics: ${newNames.length} new metric names would make more than ${this.maxMetricNames} on this stream (first new: ${JSON.stringify(newNames[0])})`);
    }
    if (newTarget) this.targets.add(key);
    for (const name of newNames) this.metricNames.add(name);
  }
}

function targetKey(target: Target__Output): string {
  const labels = Object.entries(target.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([target.service, target.instance, labels]);
}
