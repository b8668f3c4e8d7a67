/**
 * The web UI's flame graph on big trees, in Debian's Chromium: a real aggregator serves the UI,
 * and the flame graph and hotspots answers are replaced (playwright route) by synthetic trees of
 * BENCH_NODES nodes (default 10 000 and 50 000), so only the browser's work is measured. Reports,
 * median of 5: first render (page loaded → the graph painted, the answers served from memory),
 * a search keystroke → repainted, a zoom click → repainted.
 *
 *   npm run bench:ui
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '@stackwatch/testing';
import { chromium } from 'playwright-core';

interface Node {
  name: string;
  value: number;
  self: number;
  children: Node[];
}

/** A tree of about `count` nodes: 4 levels with a fan-out of count^(1/4), values skewed like real profiles. */
function syntheticTree(count: number): Node {
  const fan = Math.max(2, Math.round(count ** 0.25));
  let made = 0;
  const build = (depth: number, prefix: string): Node => {
    made++;
    if (depth === 4 || made >= count) {
      const value = 1 + ((made * 7919) % 97);
      return { name: `pkg${depth}.fn${prefix}`, value, self: value, children: [] };
    }
    const children: Node[] = [];
    for (let i = 0; i < fan && made < count; i++) children.push(build(depth + 1, `${prefix}_${i}`));
    const value = children.reduce((s, c) => s + c.value, 0) + 5;
    return { name: depth === 0 ? 'root' : `pkg${depth}.fn${prefix}`, value, self: 5, children };
  };
  return build(0, '');
}

function countNodes(node: Node): number {
  return 1 + node.children.reduce((n, c) => n + countNodes(c), 0);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_NODES ?? '10000,50000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-bench-ui-'));
  const aggregator = await startApp(
    'stackwatch-aggregator',
    ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${join(dir, 'store.duckdb')}`, '--api-rate-limit', '0'],
    /HTTP on (http:\/\/\S+)/,
  );
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    console.log('| nodes | first render | search keystroke | zoom click |');
    console.log('|---|---|---|---|');
    for (const size of sizes) {
      const tree = syntheticTree(size);
      const flame = JSON.stringify({ ...tree, sampleType: 'cpu', unit: 'nanoseconds', profiles: 1, instances: 1 });
      const hotspots = JSON.stringify({ sampleType: 'cpu', unit: 'nanoseconds', total: tree.value, profiles: 1, instances: 1, functions: [] });
      const runs = { first: [] as number[], search: [] as number[], zoom: [] as number[] };
      for (let run = 0; run < 5; run++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.route('**/api/v1/flamegraph?**', (route) => route.fulfill({ contentType: 'application/json', body: flame }));
        await page.route('**/api/v1/hotspots?**', (route) => route.fulfill({ contentType: 'application/json', body: hotspots }));
        await page.goto(`${aggregator.ready[1]}/#/flame?service=bench&type=cpu`);
        const first = await page.evaluate(async () => {
          const start = performance.now();
          while (!document.querySelector('.flame canvas')) await new Promise((r) => setTimeout(r, 1));
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
          return performance.now() - start;
        });
        const timeOf = (action: string) =>
          page.evaluate(async (what) => {
            const start = performance.now();
            if (what === 'search') {
              const input = document.querySelector<HTMLInputElement>('.flame input[type=search]')!;
              input.value = 'fn_1';
              input.dispatchEvent(new Event('input', { bubbles: true }));
            } else {
              const canvas = document.querySelector<HTMLCanvasElement>('.flame canvas')!;
              const box = canvas.getBoundingClientRect();
              canvas.dispatchEvent(new MouseEvent('click', { clientX: box.left + 5, clientY: box.top + 18 + 9, bubbles: true }));
            }
            await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
            return performance.now() - start;
          }, action);
        runs.first.push(first);
        runs.search.push(await timeOf('search'));
        runs.zoom.push(await timeOf('zoom'));
        await page.close();
      }
      console.log(`| ${countNodes(tree)} | ${median(runs.first).toFixed(0)} ms | ${median(runs.search).toFixed(0)} ms | ${median(runs.zoom).toFixed(0)} ms |`);
    }
  } finally {
    await browser.close();
    await aggregator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
