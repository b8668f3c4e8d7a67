import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CliExit, parseCommandLine, reportCliExit } from './command-line';
import { optional, repeated, toggle, withDefault } from './options';
import { parseDuration, parseHostPort, parseLabel } from './values';

const info = { name: 'demo-tool', summary: 'A demo.', version: '1.2.3' };
const spec = {
  listen: withDefault('where to listen', 'HOST:PORT', parseHostPort, '127.0.0.1:7171'),
  interval: withDefault('sampling interval', 'DURATION', parseDuration, '1s'),
  token: optional('bearer token', 'TOKEN', (s) => s),
  label: repeated('a label', 'KEY=VALUE', parseLabel),
  discover: toggle('find targets', false),
  flightRecorder: toggle('keep the CPU profiler running', true),
};

function exitOf(fn: () => unknown): CliExit {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliExit) return err;
    throw err;
  }
  throw new Error('expected a CliExit');
}

describe('parseCommandLine', () => {
  it('returns defaults when nothing is set', () => {
    expect(parseCommandLine(info, spec, [], {})).toEqual({
      listen: { host: '127.0.0.1', port: 7171 },
      interval: 1000,
      token: undefined,
      label: [],
      discover: false,
      flightRecorder: true,
    });
  });

  it('reads flags in both --a b and --a=b forms, repeatable ones and switches', () => {
    const config = parseCommandLine(
      info,
      spec,
      ['--listen=0.0.0.0:1', '--interval', '5s', '--label', 'a=1', '--label=b=2', '--discover', '--flight-recorder=false'],
      {},
    );
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 1 });
    expect(config.interval).toBe(5000);
    expect(config.label).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(config.discover).toBe(true);
    expect(config.flightRecorder).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets flags win over env vars, and env vars over the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'interval: 3s\ntoken: from-file\nlabel:\n  zone: a\n  team: b\nflight-recorder: false\n');
    const config = parseCommandLine(info, spec, ['--config', file, '--interval', '9s'], {
      STACKWATCH_INTERVAL: '7s',
      STACKWATCH_TOKEN: 'from-env',
    });
    expect(config.interval).toBe(9000);
    expect(config.token).toBe('from-env');
    expect(config.label).toEqual([
      ['zone', 'a'],
      ['team', 'b'],
    ]);
    expect(config.flightRecorder).toBe(false);
  });

  it('takes the config file path and comma-separated repeatable values from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ listen: '127.0.0.1:9' }));
    const config = parseCommandLine(info, spec, [], { STACKWATCH_CONFIG: file, STACKWATCH_LABEL: 'a=1, b=2' });
    expect(config.listen.port).toBe(9);
    expect(config.label).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('prints help with every flag, its default and env var, and exits 0', () => {
    const exit = exitOf(() => parseCommandLine(info, spec, ['--help'], {}));
    expect(exit.code).toBe(0);
    expect(exit.output).toContain('Usage: demo-tool');
    expect(exit.output).toContain('--listen <HOST:PORT>');
    expect(exit.output).toMatch(/default 127\.0\.0\.1:7171; env STACKWATCH_LISTEN/);
    expect(exit.output).toContain('--flight-recorder [BOOL]');
    expect(exit.output).toContain('--config <FILE>');
  });

  it('prints the version and exits 0', () => {
    const exit = exitOf(() => parseCommandLine(info, spec, ['--version'], {}));
    expect(exit).toMatchObject({ code: 0, output: '1.2.3\n' });
  });

  it('exits 2 naming an unknown flag', () => {
    const exit = exitOf(() => parseCommandLine(info, spec, ['--nope'], {}));
    expect(exit.code).toBe(2);
    expect(exit.output).toContain("unknown option '--nope'");
    expect(exit.output).toContain('demo-tool --help');
  });

  it('exits 2 on a stray argument and on a missing value', () => {
    expect(exitOf(() => parseCommandLine(info, spec, ['extra'], {})).code).toBe(2);
    expect(exitOf(() => parseCommandLine(info, spec, ['--listen'], {})).output).toMatch(/argument missing/);
  });

  it('exits 2 naming the field, the value, its source and the expected form', () => {
    const fromFlag = exitOf(() => parseCommandLine(info, spec, ['--interval', 'soon'], {}));
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.output).toBe('demo-tool: invalid --interval "soon": expected a duration such as 500ms, 1s, 1m30s, 5m, 7d\n');
    const fromEnv = exitOf(() => parseCommandLine(info, spec, [], { STACKWATCH_LISTEN: 'nowhere' }));
    expect(fromEnv.output).toContain('invalid --listen "nowhere" (from STACKWATCH_LISTEN): expected HOST:PORT');
  });

  it('rejects unknown keys and bad files with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'intervall: 1s\n');
    expect(exitOf(() => parseCommandLine(info, spec, ['--config', unknown], {})).output).toContain(
      `--config ${unknown}: unknown option "intervall"`,
    );
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    expect(exitOf(() => parseCommandLine(info, spec, ['--config', list], {})).output).toContain('expected a mapping');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'a: [\n');
    expect(exitOf(() => parseCommandLine(info, spec, ['--config', broken], {})).output).toContain('not valid YAML or JSON');
    expect(exitOf(() => parseCommandLine(info, spec, ['--config', join(dir, 'missing.yaml')], {})).output).toContain(
      'cannot read the file',
    );
  });
});

describe('reportCliExit', () => {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    return { stream, text: () => text };
  };

  it('prints help to stdout and usage errors to stderr, returning the exit code', () => {
    const out = capture();
    const err = capture();
    expect(reportCliExit(new CliExit(0, 'usage\n'), out.stream, err.stream)).toBe(0);
    expect(reportCliExit(new CliExit(2, 'bad flag\n'), out.stream, err.stream)).toBe(2);
    expect(out.text()).toBe('usage\n');
    expect(err.text()).toBe('bad flag\n');
  });

  it('rethrows anything that is not a CliExit', () => {
    const boom = new Error('boom');
    expect(() => reportCliExit(boom)).toThrow(boom);
  });
});
