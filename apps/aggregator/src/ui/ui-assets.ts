import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The built web UI (apps/ui/dist): its files by name, read once at start. */
export interface UiAssets {
  /** Undefined when the UI was not built: the aggregator still serves the API. */
  readonly files: ReadonlyMap<string, { readonly body: Buffer; readonly type: string }> | undefined;
  readonly dir: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const FILES = ['index.html', 'app.js', 'app.js.map', 'app.css'];

/** The UI's dist directory: next to @stackwatch/ui's package.json (a workspace package). */
export function uiDistDir(): string {
  try {
    return join(dirname(require.resolve('@stackwatch/ui/package.json')), 'dist');
  } catch {
    return join(__dirname, '..', '..', '..', 'ui', 'dist');
  }
}

export function loadUiAssets(dir = uiDistDir()): UiAssets {
  if (!existsSync(join(dir, 'index.html'))) return { files: undefined, dir };
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of FILES) {
    const path = join(dir, name);
    if (existsSync(path)) files.set(name, { body: readFileSync(path), type: TYPES[name.slice(name.lastIndexOf('.'))] });
  }
  return { files, dir };
}
