import { ValueError } from '@stackwatch/config';

/**
 * `--discover-env NAME[=VALUE]`: which discovered processes to watch, by their environment, e.g.
 * `STACKWATCH_SERVICE` (any process that names its service) or `TEAM=payments`. A DaemonSet agent
 * uses it to leave alone what it should not profile, such as pods that run their own sidecar: Go's
 * CPU profiler serves one profile at a time.
 */
export interface EnvSelector {
  readonly name: string;
  /** Undefined: the variable only has to be set. */
  readonly value?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvSelector(text: string): EnvSelector {
  const at = text.indexOf('=');
  const name = at < 0 ? text : text.slice(0, at);
  if (!ENV_NAME.test(name)) throw new ValueError('NAME or NAME=VALUE with NAME of letters, digits and _ (not first a digit)');
  return at < 0 ? { name } : { name, value: text.slice(at + 1) };
}

/** Whether an environment satisfies every selector (no selector: everything does). */
export function matchesEnv(env: ReadonlyMap<string, string>, selectors: readonly EnvSelector[]): boolean {
  return selectors.every((s) => env.has(s.name) && (s.value === undefined || env.get(s.name) === s.value));
}
