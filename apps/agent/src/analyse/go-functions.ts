/**
 * What a Go function name (as printed in tracebacks and pprof text) says about where it lives.
 * Names look like `net/http.(*conn).serve`, `main.handle.func1`, `pkg.F[...]`,
 * `gopkg.in/yaml%2ev3.(*parser).parse`: an import path, a dot, then the symbol.
 */

// Top-level elements of the standard library's import paths. Module paths usually have a dot in
// their first element (`github.com/...`), but not always (`module myapp`, `main`): a closed list,
// rather than "no dot", keeps such modules counted as user code unless they reuse one of these.
const STDLIB_ROOTS = new Set([
  'archive', 'bufio', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database',
  'debug', 'embed', 'encoding', 'errors', 'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image',
  'index', 'internal', 'io', 'iter', 'log', 'maps', 'math', 'mime', 'net', 'os', 'path', 'plugin',
  'reflect', 'regexp', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'structs', 'sync',
  'syscall', 'testing', 'text', 'time', 'unicode', 'unique', 'unsafe', 'vendor', 'weak',
]);

/** The import path of a function name: `net/http.(*conn).serve` → `net/http`. */
export function packagePath(fn: string): string {
  // The path ends at the first dot after its last slash: dots before that slash belong to the
  // path (`gopkg.in/`), and Go escapes those of the last element (`yaml%2ev3`).
  const slash = fn.lastIndexOf('/', firstBracket(fn));
  const dot = fn.indexOf('.', slash + 1);
  return dot < 0 ? fn : fn.slice(0, dot);
}

/** Generic instantiations (`F[...]`) may hold slashes of their own: look only before them. */
function firstBracket(fn: string): number {
  const i = fn.search(/[[(]/);
  return i < 0 ? fn.length : i;
}

function rootOf(fn: string): string {
  const path = packagePath(fn);
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

/** Package runtime itself (not runtime/pprof): the prefix Go's own printers test to hide frames. */
export function isRuntimeFunction(fn: string): boolean {
  return fn.startsWith('runtime.');
}

export function isStdlibFunction(fn: string): boolean {
  return STDLIB_ROOTS.has(rootOf(fn));
}

/** Code the service's own engineers wrote: not the standard library, not cgo's generated glue. */
export function isUserFunction(fn: string): boolean {
  return !isStdlibFunction(fn) && !isCgoGlue(fn) && !fn.startsWith('type:') && !fn.startsWith('type..');
}

/** cgo's generated wrappers (`main._Cfunc_sleep`, `_cgo_…`) and the runtime's cgo entry points. */
export function isCgoGlue(fn: string): boolean {
  return /(^|\.)_C2?func_/.test(fn) || /(^|\.)_cgo_/.test(fn) || fn === 'runtime.cgocall' || fn === 'runtime.asmcgocall';
}

/**
 * The frame that names a stack for a human: walking from the leaf towards the root, the first
 * frame `skip` does not reject; the leaf itself when every frame is rejected.
 * `frames` is root-first.
 */
export function leafMostFrame(frames: readonly string[], skip: (fn: string) => boolean): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    if (!skip(frames[i])) return frames[i];
  }
  return frames[frames.length - 1];
}

/** The leaf-most frame written by the service itself, else the leaf-most non-runtime frame. */
export function culpritFrame(frames: readonly string[]): string | undefined {
  return leafMostUser(frames) ?? leafMostFrame(frames, isRuntimeFunction);
}

function leafMostUser(frames: readonly string[]): string | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    if (isUserFunction(frames[i])) return frames[i];
  }
  return undefined;
}

/** Frames with the runtime's own removed: debug=1 and debug=2 hide different runtime frames. */
export function withoutRuntimeFrames(frames: readonly string[]): string[] {
  return frames.filter((fn) => !isRuntimeFunction(fn));
}
