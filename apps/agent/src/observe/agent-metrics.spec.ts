import type { TargetSample } from '../target';
import { AgentMetrics } from './agent-metrics';

const identity = { service: 'checkout', instance: 'pod-a', labels: {} };
const sample = (procAccess: boolean, values: TargetSample['values']): TargetSample => ({ timeMs: 0, pid: 1, procAccess, restarted: false, values });

describe('AgentMetrics', () => {
  it('labels a target watched without /proc access proc_access="false"', async () => {
    const metrics = new AgentMetrics();
    metrics.recordSample('http://a', identity, sample(false, { goroutines: 12 }));
    const text = await metrics.registry.metrics();
    expect(text).toContain('stackwatch_target_goroutines{service="checkout",instance="pod-a",target="http://a",proc_access="false"} 12');
    expect(text).toContain('stackwatch_samples_total{target="http://a"} 1');
    expect(text).toContain('stackwatch_target_up{service="checkout",instance="pod-a",target="http://a"} 1');
  });

  it('marks failures and forgets every series of a target that is gone, and only those', async () => {
    const metrics = new AgentMetrics();
    metrics.recordSample('http://a', identity, sample(true, { cpu_percent: 5, threads: 9 }));
    metrics.recordSample('http://a', identity, sample(false, { goroutines: 3 }));
    metrics.recordSample('http://b', { ...identity, instance: 'pod-b' }, sample(true, { threads: 7 }));
    metrics.recordFailure('http://a', identity);
    expect(await metrics.registry.metrics()).toContain('stackwatch_target_up{service="checkout",instance="pod-a",target="http://a"} 0');
    metrics.forgetTarget('http://a', identity);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('target="http://a"');
    expect(text).toContain('stackwatch_target_threads{service="checkout",instance="pod-b",target="http://b",proc_access="true"} 7');
  });
});
