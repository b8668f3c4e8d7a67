/**
 * The whole view in the URL: `#/<view>?service=…&from=…`, so a link reproduces what the sender saw.
 * Only known keys are kept; values are plain strings the API understands (times as `now-1h`,
 * RFC 3339 or unix milliseconds).
 */
export const VIEWS = ['overview', 'events', 'flame', 'diff'] as const;
export type View = (typeof VIEWS)[number];

export const STATE_KEYS = [
  'service', 'instance', 'type', 'sampleType', 'profile', 'from', 'to', 'kind', 'event', 'search', 'focus',
  'baseProfile', 'baseFrom', 'baseTo', 'hide',
] as const;
export type StateKey = (typeof STATE_KEYS)[number];

export interface ViewState {
  readonly view: View;
  readonly params: Readonly<Partial<Record<StateKey, string>>>;
}

export const DEFAULT_STATE: ViewState = { view: 'overview', params: { from: 'now-1h', to: 'now' } };

export function parseHash(hash: string): ViewState {
  const [path, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const name = path.replace(/^\//, '');
  const view = (VIEWS as readonly string[]).includes(name) ? (name as View) : DEFAULT_STATE.view;
  const params: Partial<Record<StateKey, string>> = { ...DEFAULT_STATE.params };
  for (const [key, value] of new URLSearchParams(query)) {
    if ((STATE_KEYS as readonly string[]).includes(key) && value !== '') params[key as StateKey] = value;
  }
  return { view, params };
}

export function formatHash(state: ViewState): string {
  const query = new URLSearchParams();
  for (const key of STATE_KEYS) {
    const value = state.params[key];
    if (value !== undefined && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return `#/${state.view}${text ? `?${text}` : ''}`;
}

/** A state with some params changed (undefined removes one). */
export function withParams(state: ViewState, changes: Partial<Record<StateKey, string | undefined>>, view: View = state.view): ViewState {
  const params: Partial<Record<StateKey, string>> = { ...state.params };
  for (const [key, value] of Object.entries(changes) as [StateKey, string | undefined][]) {
    if (value === undefined || value === '') delete params[key];
    else params[key] = value;
  }
  return { view, params };
}
