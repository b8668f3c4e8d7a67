// Bundles the web UI into apps/ui/dist (index.html, app.js, app.css) with esbuild: one script and
// one stylesheet, no external URL, so the aggregator serves everything and the UI works offline.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: { app: join(root, 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['chrome110', 'firefox110', 'safari16'],
  format: 'esm',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: dist,
  logLevel: 'warning',
});
copyFileSync(join(root, 'src', 'index.html'), join(dist, 'index.html'));
copyFileSync(join(root, 'src', 'styles.css'), join(dist, 'app.css'));
