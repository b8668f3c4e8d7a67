import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { TimeRangePicker } from './components/TimeRangePicker';
import { formatHash, parseHash, withParams, type View, type ViewState } from './view-state';
import { Events } from './views/Events';
import { Diff, Flame } from './views/Flame';
import { Overview } from './views/Overview';

const TABS: { view: View; label: string }[] = [
  { view: 'overview', label: 'Fleet' },
  { view: 'events', label: 'Events' },
  { view: 'flame', label: 'Flame graph' },
  { view: 'diff', label: 'Diff' },
];

/** The shell: the view and all its parameters live in the URL's hash, so every view is a link. */
function App() {
  const [state, setState] = useState<ViewState>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setState(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = (changes: Record<string, string | undefined>, view?: View) => {
    window.location.hash = formatHash(withParams(state, changes, view));
  };
  const Body = { overview: Overview, events: Events, flame: Flame, diff: Diff }[state.view];
  return (
    <>
      <header>
        <h1>stackwatch</h1>
        <nav aria-label="Views">
          {TABS.map((tab) => (
            <a key={tab.view} href={formatHash({ view: tab.view, params: state.params })} class={tab.view === state.view ? 'active' : ''} aria-current={tab.view === state.view ? 'page' : undefined}>
              {tab.label}
            </a>
          ))}
        </nav>
        <TimeRangePicker from={state.params.from ?? 'now-1h'} to={state.params.to ?? 'now'} onChange={(range) => go(range)} />
      </header>
      <main>
        <Body state={state} go={go} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
