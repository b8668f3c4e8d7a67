import { isCgoGlue, isStdlibFunction, packagePath } from '@stackwatch/pprof';
import type { AggregatedStack } from './function-totals';
import { InvalidParameterError, quoted } from './invalid-parameter';

/**
 * `hide=`: Go packages whose frames are cut out of every stack before functions are ranked, like
 * `go tool pprof -hide`. A stack's value then lands on its deepest remaining frame, so a goroutine
 * parked in `runtime.gopark` under `main.leakyConsumer` counts as `main.leakyConsumer`'s self.
 * Entries are package paths (`runtime`, `net/http`, `github.com/acme/db`, each also hiding its
 * sub-packages) or `std`: the whole standard library (its top-level import paths, as
 * @stackwatch/pprof lists them) plus the wrappers cgo generates (`main._Cfunc_sleep`): code nobody
 * of the service wrote, so a goroutine in C counts for the Go function that called it.
 */
export interface HiddenPackages {
  readonly std: boolean;
  readonly packages: readonly string[];
}

const PACKAGE_PATH = /^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/;
const MAX_ENTRIES = 64;

export function parseHidden(value: string | undefined, parameter = 'hide'): HiddenPackages | undefined {
  if (value === undefined) return undefined;
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_ENTRIES) throw new InvalidParameterError(parameter, `names ${entries.length} packages, at most ${MAX_ENTRIES}`);
  const bad = entries.find((entry) => entry !== 'std' && !PACKAGE_PATH.test(entry));
  if (bad !== undefined) {
    throw new InvalidParameterError(parameter, `${quoted(bad)} is not a Go package path (comma-separated, e.g. std,github.com/acme/db)`);
  }
  return { std: entries.includes('std'), packages: entries.filter((entry) => entry !== 'std') };
}

export function isHidden(functionName: string, hidden: HiddenPackages): boolean {
  if (hidden.std && (isStdlibFunction(functionName) || isCgoGlue(functionName))) return true;
  const pkg = packagePath(functionName);
  return hidden.packages.some((p) => pkg === p || pkg.startsWith(`${p}/`));
}

/** The stacks with hidden frames removed; a stack left with no frame keeps its value (in totals only). */
export function hideFrames(stacks: readonly AggregatedStack[], hidden: HiddenPackages | undefined): readonly AggregatedStack[] {
  if (hidden === undefined) return stacks;
  const verdicts = new Map<string, boolean>();
  const hiddenFrame = (name: string): boolean => {
    let verdict = verdicts.get(name);
    if (verdict === undefined) verdicts.set(name, (verdict = isHidden(name, hidden)));
    return verdict;
  };
  return stacks.map((stack) => ({ ...stack, frames: stack.frames.filter((frame) => !hiddenFrame(frame)) }));
}
