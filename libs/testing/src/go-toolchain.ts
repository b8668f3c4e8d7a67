import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A Go toolchain the tests build fixtures with; `go tool pprof` of the newest is the reference peer. */
export interface GoToolchain {
  /** Short label for test names, e.g. "go1.26". */
  readonly label: string;
  /** Absolute path of the `go` binary. */
  readonly goBin: string;
  /** Full version, e.g. "go1.26.8". */
  readonly version: string;
}

const SYSTEM_GO_CANDIDATES = ['/usr/local/go/bin/go', '/usr/bin/go'];
/** Debian's golang-1.19-go: the oldest Go whose pprof formats we promise to read. */
export const GO_119_BIN = '/usr/lib/go-1.19/bin/go';

function whichGo(): string | undefined {
  try {
    return execFileSync('bash', ['-c', 'command -v go'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function describe(goBin: string): GoToolchain {
  const out = execFileSync(goBin, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  const minor = /^go(\d+\.\d+)/.exec(out);
  if (!minor) throw new Error(`${goBin}: unexpected "go env GOVERSION" output: ${JSON.stringify(out)}`);
  return { label: `go${minor[1]}`, goBin, version: out };
}

function missing(what: string, install: string): never {
  throw new Error(`${what} not found: install it (${install}); scripts/setup.sh does this when run as root`);
}

/** The machine's current Go: `go` on PATH, else the usual install locations. */
export function systemGo(): GoToolchain {
  const found = [whichGo(), ...SYSTEM_GO_CANDIDATES].find((p): p is string => !!p && existsSync(p));
  if (!found) missing('Go', 'https://go.dev/doc/install or apt-get install golang-go');
  return describe(found);
}

/** Debian's Go 1.19, for the old pprof text formats. */
export function go119(): GoToolchain {
  if (!existsSync(GO_119_BIN)) missing(`Go 1.19 (${GO_119_BIN})`, 'apt-get install golang-1.19-go');
  return describe(GO_119_BIN);
}

/** Both toolchains every Go-facing test runs against; duplicates collapse when they are the same Go. */
export function goToolchains(): GoToolchain[] {
  const all = [systemGo(), go119()];
  return all.filter((t, i) => all.findIndex((o) => o.version === t.version) === i);
}
