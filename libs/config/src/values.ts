import { ValueError } from './errors';

/** Parsers from the text of a flag, env var or config file value to typed values. */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION_FORM = 'a duration such as 500ms, 1s, 1m30s, 5m, 7d';

/** Go-style durations ("1m30s", "500ms") plus days; result in milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) throw new ValueError(DURATION_FORM);
  let total = 0;
  for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * DURATION_UNITS_MS[unit];
  }
  return Math.round(total);
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};
const BYTES_FORM = 'a size such as 268435456, 256MiB, 1GiB or 500MB';

/** Sizes: plain bytes, binary (KiB/MiB/GiB) or decimal (KB/MB/GB) units. */
export function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  const factor = match ? BYTE_UNITS[match[2].toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new ValueError(BYTES_FORM);
  const value = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(value)) throw new ValueError(BYTES_FORM);
  return value;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** "HOST:PORT" or "[v6]:PORT"; port 0 lets the OS choose. */
export function parseHostPort(text: string): HostPort {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new ValueError('HOST:PORT, such as 127.0.0.1:7171 or [::1]:7171');
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function parseInteger(text: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const form = `a whole number from ${min} to ${max}`;
  if (!/^-?\d+$/.test(text.trim())) throw new ValueError(form);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ValueError(form);
  return value;
}

export function parseBoolean(text: string): boolean {
  const lower = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ValueError('true or false');
}

/** http(s) URLs only: the agent fetches from these. */
export function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ValueError('an http:// or https:// URL such as http://127.0.0.1:6060');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValueError('an http:// or https:// URL such as http://127.0.0.1:6060');
  }
  return url;
}

/** Prometheus-compatible label names, so labels can become metric labels unchanged. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/;

export function parseLabel(text: string): [string, string] {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at) : '';
  const value = text.slice(at + 1);
  if (!LABEL_NAME.test(key) || value.length > 256) {
    throw new ValueError('KEY=VALUE with KEY of letters, digits and _ (not first a digit), VALUE up to 256 characters');
  }
  return [key, value];
}
