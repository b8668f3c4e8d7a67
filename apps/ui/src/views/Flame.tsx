import { api, type DiffView, type FlameView, type HotspotsView } from '../api';
import { FlameGraph } from '../components/FlameGraph';
import { DiffTable, HotspotsTable } from '../components/FunctionTable';
import { PprofLinks } from '../components/PprofLinks';
import { diffTree } from '../flame/tree';
import { resolveTime } from '../time-range';
import { useLoad } from '../use-api';
import type { ViewState } from '../view-state';

type Go = (changes: Record<string, string | undefined>, view?: ViewState['view']) => void;

const PROFILE_TYPES = ['cpu', 'heap', 'allocs', 'goroutine', 'mutex', 'block', 'threadcreate'];

function parseFocus(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

/** What an aggregate asks the API: one profile, or a service (maybe one instance) over the range. */
function scopeParams(p: ViewState['params']): Record<string, string | undefined> {
  if (p.profile) return { profile: p.profile, sampleType: p.sampleType, hide: p.hide };
  return { service: p.service, instance: p.instance, type: p.type ?? 'cpu', sampleType: p.sampleType, from: p.from, to: p.to, hide: p.hide };
}

function Scope({ state, go }: { state: ViewState; go: Go }) {
  const p = state.params;
  return (
    <div class="filters">
      {p.profile ? (
        <span>
          profile <code>{p.profile}</code>{' '}
          <button type="button" onClick={() => go({ profile: undefined, focus: undefined })}>
            merge the service instead
          </button>
        </span>
      ) : (
        <>
          <label>
            Service <input value={p.service ?? ''} onChange={(e) => go({ service: (e.target as HTMLInputElement).value, focus: undefined })} />
          </label>
          <label>
            Instance <input value={p.instance ?? ''} placeholder="all" onChange={(e) => go({ instance: (e.target as HTMLInputElement).value || undefined, focus: undefined })} />
          </label>
          <label>
            Type{' '}
            <select value={p.type ?? 'cpu'} onChange={(e) => go({ type: (e.target as HTMLSelectElement).value, sampleType: undefined, focus: undefined })}>
              {PROFILE_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
        </>
      )}
      <label>
        <input type="checkbox" checked={p.hide === 'std'} onChange={(e) => go({ hide: (e.target as HTMLInputElement).checked ? 'std' : undefined, focus: undefined })} /> hide the standard library
      </label>
    </div>
  );
}

/** A flame graph of one profile, or merged over a service or instance and range, with its hotspots. */
export function Flame({ state, go }: { state: ViewState; go: Go }) {
  const p = state.params;
  const scope = scopeParams(p);
  const loaded = useLoad<{ flame: FlameView; hotspots: HotspotsView }>(JSON.stringify(scope), async (signal) => {
    const [flame, hotspots] = await Promise.all([api<FlameView>('flamegraph', scope, signal), api<HotspotsView>('hotspots', { ...scope, limit: '50' }, signal)]);
    return { flame, hotspots };
  });
  const needsService = !p.profile && !p.service;
  return (
    <section class="flame-view">
      <Scope state={state} go={go} />
      {needsService ? (
        <p class="status">Pick a service (or open a profile from an event).</p>
      ) : loaded.state === 'loading' ? (
        <p class="status">Loading the flame graph…</p>
      ) : loaded.state === 'error' ? (
        <p class="error">Could not load the flame graph: {loaded.message}</p>
      ) : loaded.value.flame.value === 0 ? (
        <p class="status">No samples for this selection.</p>
      ) : (
        <>
          <p class="summary">
            {loaded.value.flame.sampleType} ({loaded.value.flame.unit}) over {loaded.value.flame.profiles} profile(s) from {loaded.value.flame.instances} instance(s)
          </p>
          <PprofLinks
            path={p.profile ? `profiles/${encodeURIComponent(p.profile)}/pprof` : 'merged.pprof'}
            params={p.profile ? {} : { service: p.service, instance: p.instance, type: p.type ?? 'cpu', from: p.from, to: p.to }}
            label={p.profile ? 'this profile' : 'the merged profile'}
          />
          <div class="flame-split">
            <FlameGraph
              root={loaded.value.flame}
              unit={loaded.value.flame.unit}
              focus={parseFocus(p.focus)}
              onFocus={(path) => go({ focus: path.length > 0 ? JSON.stringify(path) : undefined })}
              search={p.search ?? ''}
              onSearch={(term) => go({ search: term || undefined })}
            />
            <HotspotsTable rows={loaded.value.hotspots.functions} total={loaded.value.hotspots.total} unit={loaded.value.hotspots.unit} onPick={(fn) => go({ search: fn })} />
          </div>
        </>
      )}
    </section>
  );
}

const BASE_SHIFTS = [
  { label: 'the same length just before', shiftMs: undefined },
  { label: 'a day earlier', shiftMs: 86_400_000 },
  { label: 'a week earlier', shiftMs: 7 * 86_400_000 },
] as const;

/** Window against window: the current range (the picker's) against a base window chosen relative to it. */
function WindowChoice({ state, go }: { state: ViewState; go: Go }) {
  const p = state.params;
  const now = Date.now();
  const fromMs = resolveTime(p.from ?? 'now-1h', now);
  const toMs = resolveTime(p.to ?? 'now', now);
  return (
    <div class="filters">
      <label>
        Service <input value={p.service ?? ''} onChange={(e) => go({ service: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        Instance <input value={p.instance ?? ''} placeholder="all" onChange={(e) => go({ instance: (e.target as HTMLInputElement).value || undefined })} />
      </label>
      <label>
        Type{' '}
        <select value={p.type ?? 'cpu'} onChange={(e) => go({ type: (e.target as HTMLSelectElement).value })}>
          {PROFILE_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <span>the time range against</span>
      {BASE_SHIFTS.map(({ label, shiftMs }) => {
        const shift = shiftMs ?? toMs - fromMs;
        return (
          <button key={label} type="button" onClick={() => go({ from: String(fromMs), to: String(toMs), baseFrom: String(fromMs - shift), baseTo: String(toMs - shift), baseProfile: undefined, profile: undefined })}>
            {label}
          </button>
        );
      })}
      {p.baseFrom !== undefined && p.baseTo !== undefined && (
        <span class="summary">
          base {new Date(resolveTime(p.baseFrom, now)).toLocaleString()} – {new Date(resolveTime(p.baseTo, now)).toLocaleString()}
        </span>
      )}
    </div>
  );
}

/**
 * A diff flame graph: the current side's tree coloured by each frame's change in share against
 * the base (red grew, blue shrank), beside the per-function changes. The sides are two profiles
 * (an anomaly and its baseline) or two windows of a service.
 */
export function Diff({ state, go }: { state: ViewState; go: Go }) {
  const p = state.params;
  const byProfile = p.baseProfile !== undefined && p.profile !== undefined;
  const current = byProfile ? { profile: p.profile, sampleType: p.sampleType, hide: p.hide } : scopeParams({ ...p, profile: undefined });
  const base = byProfile ? { profile: p.baseProfile, sampleType: p.sampleType, hide: p.hide } : { ...current, from: p.baseFrom, to: p.baseTo };
  const diffParams = byProfile
    ? { baseProfile: p.baseProfile, profile: p.profile, sampleType: p.sampleType, hide: p.hide, order: 'self', limit: '50' }
    : { ...current, baseFrom: p.baseFrom, baseTo: p.baseTo, order: 'self', limit: '50' };
  const ready = byProfile || (p.service !== undefined && p.baseFrom !== undefined && p.baseTo !== undefined);
  const loaded = useLoad<{ tree: FlameView; diff: DiffView; unit: string }>(JSON.stringify([current, base, ready]), async (signal) => {
    const [before, after, diff] = await Promise.all([
      api<FlameView>('flamegraph', base, signal),
      api<FlameView>('flamegraph', current, signal),
      api<DiffView>('diff', diffParams, signal),
    ]);
    return { tree: { ...after, ...diffTree(before, after) } as FlameView, diff, unit: after.unit };
  });
  return (
    <section class="diff-view">
      {byProfile ? (
        <p class="filters">
          profile <code>{p.profile}</code> against base <code>{p.baseProfile}</code>
        </p>
      ) : (
        <WindowChoice state={state} go={go} />
      )}
      {!ready ? null : loaded.state === 'loading' ? (
        <p class="status">Loading the diff…</p>
      ) : loaded.state === 'error' ? (
        <p class="error">Could not load the diff: {loaded.message}</p>
      ) : (
        <>
          <p class="summary">
            {loaded.value.diff.sampleType}, {loaded.value.diff.normalisation}. <span class="legend grew">grew</span> <span class="legend shrank">shrank</span>
          </p>
          <div class="flame-split">
            <FlameGraph
              root={loaded.value.tree}
              unit={loaded.value.unit}
              diff
              focus={parseFocus(p.focus)}
              onFocus={(path) => go({ focus: path.length > 0 ? JSON.stringify(path) : undefined })}
              search={p.search ?? ''}
              onSearch={(term) => go({ search: term || undefined })}
            />
            <DiffTable rows={loaded.value.diff.functions} unit={loaded.value.diff.unit} onPick={(fn) => go({ search: fn })} />
          </div>
        </>
      )}
    </section>
  );
}
