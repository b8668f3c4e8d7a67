import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

import { systemGo, type GoToolchain } from './go-toolchain';

/** A running `faultsvc` (test/fixtures/go/faultsvc): a Go service that reproduces faults on request. */
export interface FixtureInstance {
  /** Base URL, e.g. "http://127.0.0.1:40123" (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The Go toolchain the binary was built with. */
  readonly toolchain: GoToolchain;
  /** GET `url + path`; resolves with any HTTP status, rejects on network errors or after `timeoutMs` (default 10 s). */
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: Buffer }>;
  /** SIGTERM, then SIGKILL if it has not exited after a few seconds. Idempotent. */
  stop(): Promise<void>;
}

const READY_LINE = /^stackwatch-fixture listening on (http:\/\/127\.0\.0\.1:(\d+))$/;
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const STDERR_TAIL_BYTES = 16 * 1024;

/** Directory holding the fixture module (go.mod); found by walking up from this file. */
function fixtureModuleDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fixtures', 'go');
    if (existsSync(join(candidate, 'go.mod'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`test/fixtures/go/go.mod not found above ${__dirname}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))),
  );
  return nested.flat();
}

/** Hash of every Go source, C source and module file of the fixture module (paths included). */
async function sourceHash(moduleDir: string): Promise<string> {
  const files = (await listFiles(moduleDir))
    .filter((f) => /\.(go|c|h|s|mod|sum)$/.test(f))
    .map((f) => relative(moduleDir, f))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0').update(await fs.readFile(join(moduleDir, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function stackwatchTmp(): string {
  return join(tmpdir(), 'stackwatch-fixtures');
}

/** The environment `go build` runs with: cgo on, no toolchain switching, no go.work, a cache that needs no HOME. */
function goBuildEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CGO_ENABLED: '1',
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    // Go's default cache lives under $HOME (or $XDG_CACHE_HOME): without them `go build` fails.
    GOCACHE: process.env.GOCACHE || join(stackwatchTmp(), 'gocache'),
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${output}`));
    });
  });
}

/**
 * Builds the fault fixture with `toolchain` (once per toolchain version and source hash) and returns
 * the binary's path. Safe when several jest workers build at once: each builds to a private name and
 * renames it into place, which is atomic.
 */
export async function buildFaultFixture(toolchain: GoToolchain): Promise<string> {
  const moduleDir = fixtureModuleDir();
  const outDir = join(stackwatchTmp(), `${toolchain.version}-${await sourceHash(moduleDir)}`);
  const binary = join(outDir, 'faultsvc');
  if (existsSync(binary)) return binary;
  // One build per binary within this process; other processes race harmlessly (see below).
  let build = buildsInProgress.get(binary);
  if (!build) {
    build = goBuild(toolchain, moduleDir, outDir, binary).finally(() => buildsInProgress.delete(binary));
    buildsInProgress.set(binary, build);
  }
  return build;
}

const buildsInProgress = new Map<string, Promise<string>>();

async function goBuild(toolchain: GoToolchain, moduleDir: string, outDir: string, binary: string): Promise<string> {
  await fs.mkdir(outDir, { recursive: true });
  const partial = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // -buildvcs=false: stamping VCS state would make the build depend on git (it fails in a repository
    // without commits, or owned by another user).
    await run(toolchain.goBin, ['build', '-buildvcs=false', '-o', partial, './faultsvc'], moduleDir, goBuildEnv(), 300_000);
    await fs.rename(partial, binary);
  } finally {
    await fs.rm(partial, { force: true });
  }
  return binary;
}

// Every instance still running, killed if the test process exits without stopping them.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    // agent: false: one connection per request, so no idle keep-alive socket outlives a test.
    const req = request(url, { method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`GET ${url}: no complete answer after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolvePromise(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolvePromise(false);
    }, timeoutMs);
    child.once('exit', onExit);
  });
}

async function startOne(binary: string, toolchain: GoToolchain, args: string[], env: NodeJS.ProcessEnv): Promise<FixtureInstance> {
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));

  // Keep draining both pipes for the whole life of the process (a full pipe would block its writes);
  // keep the tail of stderr for error messages.
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  const url = await new Promise<string>((resolvePromise, reject) => {
    let stdout = '';
    let done = false;
    const finish = (err: Error | undefined, value?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.off('close', onExit);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolvePromise(value as string);
    };
    const describeFailure = (what: string): Error =>
      new Error(`${binary} ${args.join(' ')}: ${what}\nstdout:\n${stdout}\nstderr:\n${stderrTail}`);
    // 'close' rather than 'exit': it comes after the pipes are drained, so stderr is complete.
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(describeFailure(`exited (${signal ?? `code ${code}`}) before listening`));
    const timer = setTimeout(
      () => finish(describeFailure(`no "listening on" line after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.once('close', onExit);
    child.once('error', (err) => finish(describeFailure(`could not start: ${err.message}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (done) return;
      stdout += chunk.toString('utf8');
      for (const line of stdout.split('\n')) {
        const m = READY_LINE.exec(line.trim());
        if (m) return finish(undefined, m[1]);
      }
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid as number,
    toolchain,
    get: (path, timeoutMs = 10_000) => httpGet(url + path, timeoutMs),
    stop: () => {
      stopping ??= (async () => {
        if (exited(child)) return;
        child.kill('SIGTERM');
        if (await waitForExit(child, STOP_GRACE_MS)) return;
        child.kill('SIGKILL');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          throw new Error(`faultsvc pid ${child.pid} survived SIGKILL for ${STOP_GRACE_MS} ms`);
        }
      })();
      return stopping;
    },
  };
}

/**
 * Builds (if needed) and starts `count` fault fixtures, each on a port the OS picks, and resolves once
 * every one is listening. Stop them with {@link stopAll}; any left running are killed when the process exits.
 */
export async function startFaultFixtures(opts: {
  count: number;
  toolchain?: GoToolchain;
  backgroundRps?: number;
  service?: string;
  env?: Record<string, string>;
  /** A fixed port, e.g. to bring a service back on the URL its agent watches (count must be 1). */
  port?: number;
}): Promise<FixtureInstance[]> {
  if (opts.port !== undefined && opts.count !== 1) throw new Error('startFaultFixtures: a fixed port needs count 1');
  const toolchain = opts.toolchain ?? systemGo();
  const binary = await buildFaultFixture(toolchain);
  installExitHook();
  const env = { ...process.env, ...opts.env };
  const starts = Array.from({ length: opts.count }, () => {
    const args = ['-listen', `127.0.0.1:${opts.port ?? 0}`, '-background-rps', String(opts.backgroundRps ?? 0)];
    // Instances of one service, like a fleet: same name, different ports and pids.
    args.push('-service', opts.service ?? 'faultsvc');
    return startOne(binary, toolchain, args, env);
  });
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return started;
}

/** Stops every instance (in parallel); resolves when all have exited. */
export async function stopAll(instances: FixtureInstance[]): Promise<void> {
  const results = await Promise.allSettled(instances.map((i) => i.stop()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
