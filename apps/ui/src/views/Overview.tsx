import { api, type InstanceView, type SeriesView, type ServiceView } from '../api';
import { Sparkline } from '../components/Sparkline';
import { outlierInstances } from '../outliers';
import { formatValue, resolveTime } from '../time-range';
import { useLoad } from '../use-api';
import type { ViewState } from '../view-state';

const METRICS = [
  { name: 'cpu_percent', label: 'CPU %', format: (v: number) => `${v.toFixed(1)} %` },
  { name: 'memory_percent', label: 'Memory %', format: (v: number) => `${v.toFixed(1)} %` },
  { name: 'goroutines', label: 'Goroutines', format: (v: number) => formatValue(Math.round(v), 'count') },
  { name: 'threads', label: 'Threads', format: (v: number) => formatValue(Math.round(v), 'count') },
] as const;

interface Fleet {
  services: ServiceView[];
  service: string | undefined;
  instances: InstanceView[];
  series: Record<string, SeriesView[]>;
}

/** Services and their instances, with sparklines of the four watched metrics; outliers stand out. */
export function Overview({ state, go }: { state: ViewState; go: (changes: Record<string, string | undefined>, view?: ViewState['view']) => void }) {
  const { from, to } = state.params;
  const fleet = useLoad<Fleet>(JSON.stringify([state.params.service, from, to]), async (signal) => {
    const services = await api<ServiceView[]>('services', { from, to }, signal);
    const service = state.params.service ?? services[0]?.service;
    if (service === undefined) return { services, service, instances: [], series: {} };
    const [instances, ...series] = await Promise.all([
      api<InstanceView[]>('instances', { service, from, to }, signal),
      ...METRICS.map((m) => api<SeriesView[]>('metrics/series', { service, name: m.name, from, to }, signal)),
    ]);
    return { services, service, instances, series: Object.fromEntries(METRICS.map((m, i) => [m.name, series[i]])) };
  });
  if (fleet.state === 'loading') return <p class="status">Loading the fleet…</p>;
  if (fleet.state === 'error') return <p class="error">Could not load the fleet: {fleet.message}</p>;
  const { services, service, instances, series } = fleet.value;
  if (services.length === 0) return <p class="status">No service reported in this time range. Start agents (docs/quickstart.md) or pick a longer range.</p>;

  const now = Date.now();
  const fromMs = resolveTime(from ?? 'now-1h', now);
  const toMs = resolveTime(to ?? 'now', now);
  const outliers = new Map(
    METRICS.map((m) => {
      const means = new Map((series[m.name] ?? []).map((s) => [s.instance, s.points.reduce((sum, [, v]) => sum + v, 0) / Math.max(1, s.points.length)]));
      return [m.name, outlierInstances(means)];
    }),
  );
  return (
    <section class="overview">
      <div class="services" role="tablist" aria-label="Services">
        {services.map((s) => (
          <button key={s.service} role="tab" aria-selected={s.service === service} class={s.service === service ? 'selected' : ''} onClick={() => go({ service: s.service, instance: undefined })}>
            {s.service} <small>{s.instances} instances</small>
          </button>
        ))}
      </div>
      <table class="instances" aria-label={`Instances of ${service ?? ''}`}>
        <thead>
          <tr>
            <th>Instance</th>
            <th>State</th>
            {METRICS.map((m) => (
              <th key={m.name}>{m.label}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {instances.map((instance) => {
            const flagged = METRICS.filter((m) => outliers.get(m.name)?.has(instance.instance));
            return (
              <tr key={instance.instance} class={flagged.length > 0 ? 'outlier' : ''} data-instance={instance.instance}>
                <td>
                  {instance.instance}
                  {flagged.length > 0 && (
                    <span class="badge" title="Differs from its peers over this range">
                      unlike peers: {flagged.map((m) => m.label).join(', ')}
                    </span>
                  )}
                </td>
                <td>{instance.state ?? '–'}</td>
                {METRICS.map((m) => (
                  <td key={m.name} class={outliers.get(m.name)?.has(instance.instance) ? 'flagged' : ''}>
                    <Sparkline points={series[m.name]?.find((s) => s.instance === instance.instance)?.points ?? []} fromMs={fromMs} toMs={toMs} label={m.label} format={m.format} />
                  </td>
                ))}
                <td class="actions">
                  <a href="javascript:void 0" onClick={() => go({ service, instance: instance.instance }, 'events')}>
                    events
                  </a>{' '}
                  <a href="javascript:void 0" onClick={() => go({ service, instance: instance.instance, type: 'cpu' }, 'flame')}>
                    CPU flame graph
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
