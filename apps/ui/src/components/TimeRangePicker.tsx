import { PRESETS, fromLocalInput, resolveTime, toLocalInput } from '../time-range';

interface Props {
  from: string;
  to: string;
  onChange: (range: { from: string; to: string }) => void;
}

/** Presets (last 15 minutes … 7 days) and an absolute from/to in local time. */
export function TimeRangePicker({ from, to, onChange }: Props) {
  const now = Date.now();
  const preset = to === 'now' ? PRESETS.find((p) => p.from === from) : undefined;
  return (
    <div class="time-range" role="group" aria-label="Time range">
      <select
        aria-label="Time range preset"
        value={preset?.from ?? 'custom'}
        onChange={(e) => {
          const value = (e.target as HTMLSelectElement).value;
          if (value !== 'custom') onChange({ from: value, to: 'now' });
        }}
      >
        {PRESETS.map((p) => (
          <option key={p.from} value={p.from}>
            Last {p.label}
          </option>
        ))}
        <option value="custom">Custom</option>
      </select>
      <input
        type="datetime-local"
        aria-label="From"
        value={toLocalInput(resolveTime(from, now))}
        onChange={(e) => {
          const value = fromLocalInput((e.target as HTMLInputElement).value);
          if (value) onChange({ from: value, to: to === 'now' ? String(now) : to });
        }}
      />
      <span>to</span>
      <input
        type="datetime-local"
        aria-label="To"
        value={toLocalInput(resolveTime(to, now))}
        onChange={(e) => {
          const value = fromLocalInput((e.target as HTMLInputElement).value);
          if (value) onChange({ from: String(resolveTime(from, now)), to: value });
        }}
      />
    </div>
  );
}
