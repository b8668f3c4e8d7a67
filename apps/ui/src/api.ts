/**
 * The aggregator's REST API (docs/api.md), same origin. With --api-token the browser asked for
 * the token once (basic auth, the token as password) and sends it with every request itself.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, params: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  const text = query.toString();
  const response = await fetch(`api/v1/${path}${text ? `?${text}` : ''}`, { signal, credentials: 'same-origin' });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return (await response.json()) as T;
}

/** An absolute link to an API path, for downloads and `go tool pprof`. */
export function apiUrl(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
  return new URL(`api/v1/${path}?${query.toString()}`, window.location.href).href;
}

export interface ServiceView {
  service: string;
  instances: number;
  lastSeen: string;
}
export interface InstanceView {
  service: string;
  instance: string;
  lastSeen: string;
  latestMetrics: Record<string, number>;
  state: string | null;
}
export interface SeriesView {
  service: string;
  instance: string;
  stepMs: number;
  points: [number, number][];
}
export interface EventView {
  id: string;
  time: string;
  timeMs: number;
  service: string;
  instance: string;
  kind: string;
  value: number;
  average: number;
  threshold: number;
  reason: string;
  profiles: { id: string; type: string | null }[];
  findings: { kind: string; summary: string; stacks: { frames: string[]; count: number; state?: string }[] }[];
}
export interface FunctionRow {
  function: string;
  self: number;
  total: number;
  instances: number;
}
export interface HotspotsView {
  sampleType: string;
  unit: string;
  total: number;
  profiles: number;
  instances: number;
  functions: FunctionRow[];
}
export interface FlameView {
  name: string;
  value: number;
  self: number;
  children: FlameView[];
  sampleType: string;
  unit: string;
  profiles: number;
  instances: number;
}
export interface DiffRow {
  function: string;
  base: number;
  current: number;
  delta: number;
  self: { base: number; current: number; delta: number };
}
export interface DiffView {
  sampleType: string;
  unit: string;
  normalisation: string;
  functions: DiffRow[];
}
