import { parseBoolean } from './values';

/**
 * One configuration option. The same option is reachable as a flag (`--spool-max-bytes`), an
 * environment variable (`STACKWATCH_SPOOL_MAX_BYTES`) and a config file key (`spool-max-bytes`
 * or `spoolMaxBytes`); every source gives text that `parse` turns into the typed value.
 */
export interface OptionDef<T> {
  readonly description: string;
  /** Shown in --help after the flag; undefined for a boolean switch. */
  readonly placeholder: string | undefined;
  readonly repeatable: boolean;
  /** Text of the default for --help, or undefined when the option is unset by default. */
  readonly defaultText: string | undefined;
  /** Turns the raw texts of one source (several when repeatable) into the value. */
  parse(raws: readonly string[]): T;
  /** The value when no source sets it. */
  fallback(): T;
}

function last(raws: readonly string[]): string {
  return raws[raws.length - 1];
}

/** A single-valued option with a default. */
export function withDefault<T>(description: string, placeholder: string, parse: (raw: string) => T, defaultText: string): OptionDef<T> {
  return { description, placeholder, repeatable: false, defaultText, parse: (raws) => parse(last(raws)), fallback: () => parse(defaultText) };
}

/** A single-valued option that may stay unset. */
export function optional<T>(description: string, placeholder: string, parse: (raw: string) => T): OptionDef<T | undefined> {
  return { description, placeholder, repeatable: false, defaultText: undefined, parse: (raws) => parse(last(raws)), fallback: () => undefined };
}

/** A repeatable option; each occurrence adds one item (env vars: comma-separated). */
export function repeated<T>(description: string, placeholder: string, parse: (raw: string) => T): OptionDef<T[]> {
  return { description, placeholder, repeatable: true, defaultText: undefined, parse: (raws) => raws.map(parse), fallback: () => [] };
}

/** A boolean. As a flag `--name` means true; `--name=false` and env/file values are parsed. */
export function toggle(description: string, defaultValue: boolean): OptionDef<boolean> {
  return {
    description,
    placeholder: undefined,
    repeatable: false,
    defaultText: String(defaultValue),
    parse: (raws) => parseBoolean(last(raws)),
    fallback: () => defaultValue,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptionsSpec = Record<string, OptionDef<any>>;

/** The typed, frozen configuration an options spec describes. */
export type ConfigOf<S extends OptionsSpec> = { readonly [K in keyof S]: S[K] extends OptionDef<infer T> ? T : never };

/** `spoolMaxBytes` → `spool-max-bytes`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `spoolMaxBytes` → `STACKWATCH_SPOOL_MAX_BYTES`. */
export function envName(key: string): string {
  return `STACKWATCH_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}
