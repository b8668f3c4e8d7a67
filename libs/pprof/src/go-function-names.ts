/**
 * What a Go function name (as printed in tracebacks and pprof) says about where it lives. Names
 * look like `net/http.(*conn).serve`, `main.handle.func1`, `pkg.F[...]`,
 * `gopkg.in/yaml%2ev3.(*parser).parse`: an import path, a dot, then the symbol. Shared by the
 * agent's analyses and the aggregator's `hide=`.
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
