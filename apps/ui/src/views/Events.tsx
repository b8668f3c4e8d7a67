import { api, type EventView, type ServiceView } from '../api';
import { formatValue, resolveTime } from '../time-range';
import { useLoad } from '../use-api';
import type { ViewState } from '../view-state';

const KINDS = ['cpu', 'memory', 'gc_heap', 'goroutines', 'threads', 'deadlock', 'goroutine_leak'] as const;
const KIND_COLORS: Record<string, string> = {
  cpu: '#e4572e', memory: '#4c6ef5', gc_heap: '#7950f2', goroutines: '#12b886', threads: '#f59f00', deadlock: '#c2255c', goroutine_leak: '#0b7285',
};
const PROFILE_TYPE_OF_EVENT: Record<string, string> = { cpu: 'cpu', memory: 'heap', gc_heap: 'heap', goroutines: 'goroutine', threads: 'goroutine', deadlock: 'goroutine', goroutine_leak: 'goroutine' };

type Go = (changes: Record<string, string | undefined>, view?: ViewState['view']) => void;

/** Events over time, one row per instance, filterable by kind; an opened event shows everything it carries. */
export function Events({ state, go }: { state: ViewState; go: Go }) {
  const { from, to, service, instance, kind, event: openId } = state.params;
  const events = useLoad<{ services: ServiceView[]; events: EventView[] }>(JSON.stringify([service, instance, kind, from, to]), async (signal) => {
    const services = await api<ServiceView[]>('services', { from, to }, signal);
    const chosen = service ?? services[0]?.service;
    const list = chosen === undefined ? [] : await api<EventView[]>('events', { service: chosen, instance, kind, from, to, limit: '1000' }, signal);
    return { services, events: list };
  });
  if (events.state === 'loading') return <p class="status">Loading events…</p>;
  if (events.state === 'error') return <p class="error">Could not load events: {events.message}</p>;
  const { services, events: list } = events.value;
  const now = Date.now();
  const fromMs = resolveTime(from ?? 'now-1h', now);
  const toMs = resolveTime(to ?? 'now', now);
  const instances = [...new Set(list.map((e) => e.instance))].sort();
  const opened = list.find((e) => e.id === openId);
  const width = 900;
  const x = (t: number) => 120 + ((t - fromMs) / Math.max(toMs - fromMs, 1)) * (width - 130);

  return (
    <section class="events">
      <div class="filters">
        <label>
          Service{' '}
          <select value={service ?? services[0]?.service ?? ''} onChange={(e) => go({ service: (e.target as HTMLSelectElement).value, instance: undefined, event: undefined })}>
            {services.map((s) => (
              <option key={s.service}>{s.service}</option>
            ))}
          </select>
        </label>
        <label>
          Kind{' '}
          <select aria-label="Event kind" value={kind ?? ''} onChange={(e) => go({ kind: (e.target as HTMLSelectElement).value || undefined, event: undefined })}>
            <option value="">all kinds</option>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        {instance !== undefined && (
          <button type="button" onClick={() => go({ instance: undefined })}>
            all instances (now {instance})
          </button>
        )}
      </div>
      {list.length === 0 ? (
        <p class="status">No event in this range.</p>
      ) : (
        <svg class="timeline" width={width} height={instances.length * 26 + 24} role="img" aria-label="Events over time per instance">
          {instances.map((name, row) => (
            <g key={name} transform={`translate(0, ${row * 26 + 4})`}>
              <text x={0} y={14} class="timeline-label">
                {name}
              </text>
              <line x1={120} x2={width - 10} y1={10} y2={10} class="timeline-axis" />
              {list
                .filter((e) => e.instance === name)
                .map((e) => (
                  <circle
                    key={e.id}
                    cx={x(e.timeMs)}
                    cy={10}
                    r={e.id === openId ? 8 : 6}
                    fill={KIND_COLORS[e.kind] ?? '#868e96'}
                    class="timeline-event"
                    data-kind={e.kind}
                    onClick={() => go({ event: e.id })}
                  >
                    <title>{`${e.kind} on ${e.instance} at ${e.time}: ${e.reason}`}</title>
                  </circle>
                ))}
            </g>
          ))}
          <text x={120} y={instances.length * 26 + 20} class="timeline-tick">
            {new Date(fromMs).toLocaleString()}
          </text>
          <text x={width - 10} y={instances.length * 26 + 20} class="timeline-tick" text-anchor="end">
            {new Date(toMs).toLocaleString()}
          </text>
        </svg>
      )}
      <div class="event-split">
        <ul class="event-list" aria-label="Events">
          {list.map((e) => (
            <li key={e.id} class={e.id === openId ? 'selected' : ''}>
              <a href="javascript:void 0" onClick={() => go({ event: e.id })}>
                <span class="kind" style={{ background: KIND_COLORS[e.kind] }}>
                  {e.kind}
                </span>{' '}
                {e.instance} · {new Date(e.timeMs).toLocaleTimeString()}
              </a>
            </li>
          ))}
        </ul>
        {opened && <EventDetails event={opened} go={go} />}
      </div>
    </section>
  );
}

function EventDetails({ event, go }: { event: EventView; go: Go }) {
  const culpritType = PROFILE_TYPE_OF_EVENT[event.kind];
  const openBaseline = async (profileId: string, type: string) => {
    // The instance's newest baseline of the same type before the event: what "normal" looked like.
    const [baseline] = await api<{ id: string }[]>('profiles', {
      service: event.service,
      instance: event.instance,
      type,
      trigger: 'baseline',
      from: String(event.timeMs - 24 * 3_600_000),
      to: String(event.timeMs),
      limit: '1',
    });
    if (baseline) go({ service: event.service, instance: event.instance, baseProfile: baseline.id, profile: profileId, focus: undefined, search: undefined }, 'diff');
    else window.alert('No baseline profile of this instance before the event: diff against a time window instead.');
  };
  return (
    <article class="event-details" data-testid="event-details">
      <h2>
        {event.kind} on {event.instance}
      </h2>
      <p class="reason">{event.reason}</p>
      <dl class="values">
        <dt>value</dt>
        <dd>{formatValue(event.value, 'count')}</dd>
        <dt>moving average</dt>
        <dd>{formatValue(event.average, 'count')}</dd>
        <dt>threshold</dt>
        <dd>{formatValue(event.threshold, 'count')}</dd>
        <dt>time</dt>
        <dd>{event.time}</dd>
      </dl>
      {event.findings.map((finding, i) => (
        <section key={i} class="finding">
          <h3>
            {finding.kind}: {finding.summary}
          </h3>
          {finding.stacks.map((stack, j) => (
            <details key={j} open={j === 0}>
              <summary>
                {stack.count} × {stack.frames[stack.frames.length - 1] ?? '(empty)'} {stack.state ? `[${stack.state}]` : ''}
              </summary>
              <ol class="stack">
                {[...stack.frames].reverse().map((frame, k) => (
                  <li key={k}>{frame}</li>
                ))}
              </ol>
            </details>
          ))}
        </section>
      ))}
      <h3>Profiles</h3>
      <ul class="profiles">
        {event.profiles.map((p) => (
          <li key={p.id}>
            {p.type ?? 'not stored'}{' '}
            {p.type !== null && (
              <>
                <a href="javascript:void 0" onClick={() => go({ service: event.service, instance: event.instance, profile: p.id, type: p.type ?? undefined, focus: undefined, search: undefined }, 'flame')}>
                  flame graph
                </a>
                {p.type === culpritType && (
                  <>
                    {' · '}
                    <a href="javascript:void 0" onClick={() => void openBaseline(p.id, p.type!)}>
                      diff against the baseline
                    </a>
                  </>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </article>
  );
}
