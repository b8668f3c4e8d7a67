import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ConfigError, ValueError } from './errors';
import { envName, flagName, type ConfigOf, type OptionsSpec } from './options';

export interface ProgramInfo {
  readonly name: string;
  readonly summary: string;
  readonly version: string;
}

/** The command line asked to stop before running: --help, --version, or a usage error. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    readonly output: string,
  ) {
    super(output.trim());
    this.name = 'CliExit';
  }
}

/**
 * For a program's composition root: prints a CliExit's output (stdout for --help/--version,
 * stderr for errors) and returns its exit code; anything else is rethrown.
 */
export function reportCliExit(err: unknown, out: NodeJS.WritableStream = process.stdout, errOut: NodeJS.WritableStream = process.stderr): number {
  if (!(err instanceof CliExit)) throw err;
  (err.code === 0 ? out : errOut).write(err.output);
  return err.code;
}

/** Exit status for invalid flags or configuration, like Go's flag package. */
export const USAGE_EXIT_CODE = 2;

type Source = { kind: 'flag' | 'env' | 'file'; raws: string[]; where: string };

function buildCommand<S extends OptionsSpec>(info: ProgramInfo, spec: S, sink: { out: string; err: string }): Command {
  const command = new Command(info.name)
    .description(info.summary)
    .version(info.version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .allowExcessArguments(false)
    .exitOverride()
    .configureHelp({ helpWidth: 110 })
    .configureOutput({ writeOut: (s) => (sink.out += s), writeErr: (s) => (sink.err += s) });
  command.addOption(new Option('--config <FILE>', `YAML or JSON file with any of these options (env ${envName('config')})`));
  for (const [key, def] of Object.entries(spec)) {
    const flag = `--${flagName(key)}`;
    const notes = [def.defaultText !== undefined ? `default ${def.defaultText}` : '', `env ${envName(key)}`, def.repeatable ? 'repeatable' : '']
      .filter(Boolean)
      .join('; ');
    const option = new Option(def.placeholder ? `${flag} <${def.placeholder}>` : `${flag} [BOOL]`, `${def.description} (${notes})`);
    option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value ?? 'true']);
    command.addOption(option);
  }
  command.addHelpText(
    'after',
    '\nEvery option can also be set by its environment variable or by its name as a key of the\n' +
      '--config file; flags win over environment variables, which win over the file.',
  );
  return command;
}

function fileSources(path: string, spec: OptionsSpec): Map<string, Source> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `--config ${path}: cannot read the file: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError('config', `--config ${path}: not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('config', `--config ${path}: expected a mapping of option names to values at the top level`);
  }
  const byName = new Map<string, string>();
  for (const key of Object.keys(spec)) {
    byName.set(key, key);
    byName.set(flagName(key), key);
  }
  const sources = new Map<string, Source>();
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const key = byName.get(name);
    if (!key) {
      throw new ConfigError(name, `--config ${path}: unknown option "${name}"; known options: ${Object.keys(spec).map(flagName).join(', ')}`);
    }
    sources.set(key, { kind: 'file', raws: fileValueTexts(value, path, name), where: `${name} in ${path}` });
  }
  return sources;
}

function fileValueTexts(value: unknown, path: string, name: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => fileValueTexts(v, path, name));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (value && typeof value === 'object') {
    // A mapping stands for repeated KEY=VALUE items (labels).
    return Object.entries(value).map(([k, v]) => `${k}=${String(v)}`);
  }
  throw new ConfigError(name, `--config ${path}: "${name}" has no value`);
}

/**
 * Reads options from flags, environment variables and an optional config file, in that order
 * of precedence, and returns the typed configuration. Throws CliExit for --help/--version (code 0)
 * and for any invalid input (code 2, message naming the field and the expected form).
 */
export function parseCommandLine<S extends OptionsSpec>(
  info: ProgramInfo,
  spec: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ConfigOf<S> {
  const sink = { out: '', err: '' };
  const command = buildCommand(info, spec, sink);
  try {
    command.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      const ok = err.exitCode === 0;
      throw new CliExit(ok ? 0 : USAGE_EXIT_CODE, ok ? sink.out : `${sink.err.trimEnd()}\n(see ${info.name} --help)\n`);
    }
    throw err;
  }
  try {
    return resolve(spec, flagTexts(command.opts()), env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(USAGE_EXIT_CODE, `${info.name}: ${err.message}\n`);
    throw err;
  }
}

/** Commander gives string[] for options with our collecting parser, `true` for a bare switch. */
function flagTexts(opts: Record<string, unknown>): Record<string, string[] | undefined> {
  return Object.fromEntries(
    Object.entries(opts).map(([key, value]) => [key, value === true ? ['true'] : typeof value === 'string' ? [value] : (value as string[])]),
  );
}

function resolve<S extends OptionsSpec>(spec: S, flags: Record<string, string[] | undefined>, env: NodeJS.ProcessEnv): ConfigOf<S> {
  const configPath = flags.config?.at(-1) ?? env[envName('config')];
  const fromFile = configPath ? fileSources(configPath, spec) : new Map<string, Source>();
  const config: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(spec)) {
    const envValue = env[envName(key)];
    const source: Source | undefined = flags[key]
      ? { kind: 'flag', raws: flags[key], where: `--${flagName(key)}` }
      : envValue !== undefined && envValue !== ''
        ? { kind: 'env', raws: def.repeatable ? envValue.split(',').map((s) => s.trim()) : [envValue], where: envName(key) }
        : fromFile.get(key);
    try {
      config[key] = source ? def.parse(source.raws) : def.fallback();
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      const given = source ? source.raws.map((r) => JSON.stringify(r)).join(', ') : '(default)';
      const origin = source && source.kind !== 'flag' ? ` (from ${source.where})` : '';
      throw new ConfigError(flagName(key), `invalid --${flagName(key)} ${given}${origin}: ${err.message}`);
    }
  }
  return Object.freeze(config) as ConfigOf<S>;
}
