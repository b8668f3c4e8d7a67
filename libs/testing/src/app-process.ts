import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitFor } from './wait';

/** A built stackwatch executable (bin/stackwatch-agent, bin/stackwatch-aggregator) running as a child process. */
export interface AppProcess {
  readonly pid: number;
  /** The first match of the `ready` pattern in its stderr. */
  readonly ready: RegExpExecArray;
  /** Everything it wrote to stderr so far. */
  logs(): string;
  /** Resolves with its exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit, then SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'stackwatch-agent'))) return dir;
    if (dirname(dir) === dir) throw new Error(`bin/stackwatch-agent not found above ${__dirname}`);
  }
}

/**
 * Starts `bin/<name>` with `args` and resolves once its stderr matches `ready` (e.g. the line
 * with its listening address). The executables run from their build: `npm run build` first.
 */
export async function startApp(
  name: 'stackwatch-agent' | 'stackwatch-aggregator',
  args: readonly string[],
  ready: RegExp,
  { env, timeoutMs = 30_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<AppProcess> {
  const child = spawn(join(repoRoot(), 'bin', name), args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  running.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  try {
    const match = await waitFor(
      `${name} to log ${ready}`,
      () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
        return ready.exec(stderr) ?? undefined;
      },
      { timeoutMs },
    );
    return { pid: child.pid!, ready: match, logs: () => stderr, exited, stop };
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
}
