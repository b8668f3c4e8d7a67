/** Presets of the time range picker, as the API's relative times. */
export const PRESETS = [
  { label: '15 minutes', from: 'now-15m' },
  { label: '1 hour', from: 'now-1h' },
  { label: '6 hours', from: 'now-6h' },
  { label: '24 hours', from: 'now-24h' },
  { label: '7 days', from: 'now-7d' },
] as const;

const RELATIVE = /^now(?:-(\d+)([smhd]))?$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An API time (`now`, `now-15m`, unix ms, RFC 3339) as unix ms at `nowMs`; NaN when unreadable. */
export function resolveTime(text: string, nowMs: number): number {
  const relative = RELATIVE.exec(text);
  if (relative) return relative[1] === undefined ? nowMs : nowMs - Number(relative[1]) * UNIT_MS[relative[2]];
  if (/^\d+$/.test(text)) return Number(text);
  return Date.parse(text);
}

/** The value of a datetime-local input (local time, minutes) for unix ms. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value back to an API time (unix ms), or undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? String(ms) : undefined;
}

/** "12.3 s", "1.5 GiB", "42": a value in its unit, short. */
export function formatValue(value: number, unit: string): string {
  const abs = Math.abs(value);
  if (unit === 'nanoseconds') {
    if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} s`;
    if (abs >= 1e6) return `${(value / 1e6).toFixed(1)} ms`;
    if (abs >= 1e3) return `${(value / 1e3).toFixed(1)} µs`;
    return `${Math.round(value)} ns`;
  }
  if (unit === 'bytes') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
