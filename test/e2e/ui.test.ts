import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@stackwatch/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EventView, ProfileView } from './support/api-types';
import { startFleet, type Fleet } from './support/fleet';

/**
 * The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against
 * a real aggregator holding what real agents shipped from three Go fixture instances, one of which
 * burned CPU: the overview lists the instances, the timeline shows the event, the flame graph of
 * its profile holds the culprit frame and zooms and searches, the diff view renders. Screenshots
 * go to .reports/ui/ (and to docs/images/ with UPDATE_UI_SCREENSHOTS=1, for docs/ui.md).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REPO = join(__dirname, '..', '..');
const SHOTS = join(REPO, '.reports', 'ui');
const SERVICE = 'ui-shop';

describe('web UI (headless Chromium, real aggregator and agents)', () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  let event: EventView;
  const foreign: string[] = [];

  beforeAll(async () => {
    fleet = await startFleet({ service: SERVICE, store: 'duckdb', agents: 'sidecars', go: 'system', backgroundRps: 20 });
    // A baseline CPU window first, then the spike on instance 0.
    await waitFor(
      'a baseline CPU profile of the faulty instance',
      async () => (await fleet.api<ProfileView[]>(`/profiles?service=${SERVICE}&instance=${SERVICE}-0&type=cpu&trigger=baseline`)).length > 0,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // Metric batches (flushed every 10 s) of all three, for the sparklines.
    await waitFor(
      'metric series of the three instances',
      async () => (await fleet.api<unknown[]>(`/metrics/series?service=${SERVICE}&name=cpu_percent&from=now-15m`)).length === 3,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await fleet.instances[0].fixture.get('/fault/cpu?seconds=6&workers=2');
    event = await waitFor(
      'the cpu event with its profiles stored',
      async () => {
        const [found] = await fleet.api<EventView[]>(`/events?service=${SERVICE}&kind=cpu`);
        return found && found.profiles.length > 0 && found.profiles.every((p) => p.type !== null) ? found : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (scripts/setup.sh does as root), or set CHROMIUM_PATH`);
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Everything must come from the aggregator: no CDN, no font service.
    page.on('request', (request) => {
      if (!request.url().startsWith(fleet.httpUrl)) foreign.push(request.url());
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  async function shot(name: string): Promise<void> {
    const file = join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.UPDATE_UI_SCREENSHOTS === '1') {
      mkdirSync(join(REPO, 'docs', 'images'), { recursive: true });
      copyFileSync(file, join(REPO, 'docs', 'images', `ui-${name}.png`));
    }
  }

  it('overview: lists the service and its three instances with sparklines', async () => {
    await page.goto(`${fleet.httpUrl}/#/overview?service=${SERVICE}&from=now-15m&to=now`);
    await page.locator('tr[data-instance]').nth(2).waitFor({ timeout: 15_000 });
    expect(await page.locator('tr[data-instance]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance')))).toEqual([
      `${SERVICE}-0`,
      `${SERVICE}-1`,
      `${SERVICE}-2`,
    ]);
    expect(await page.locator('tr[data-instance] svg polyline').count()).toBeGreaterThanOrEqual(6);
    await shot('overview');
  });

  it('events: the timeline shows the cpu event; opening it shows its reason, values and profiles', async () => {
    await page.goto(`${fleet.httpUrl}/#/events?service=${SERVICE}&from=now-15m&to=now`);
    const marker = page.locator('circle.timeline-event[data-kind="cpu"]');
    await marker.first().waitFor({ timeout: 15_000 });
    await marker.first().click();
    const details = page.getByTestId('event-details');
    await details.waitFor();
    expect(await details.locator('h2').textContent()).toBe(`cpu on ${SERVICE}-0`);
    expect(await details.locator('.reason').textContent()).toBe(event.reason);
    expect(page.url()).toContain(`event=${event.id}`);
    await shot('events');
  });

  it('flame graph: the event profile holds main.burnCPU; search highlights it, clicking zooms, hovering explains', async () => {
    // The window that covers the burn (the event's first window may end as it begins).
    let found = false;
    for (const profile of event.profiles) {
      await page.goto(`${fleet.httpUrl}/#/flame?profile=${profile.id}&search=main.burnCPU`);
      // A window before the spike may hold no sample at all: then there is no graph to search.
      const result = page.getByTestId('search-result');
      await result.or(page.getByText('No samples for this selection.')).waitFor({ timeout: 15_000 });
      if ((await result.count()) > 0 && !/^0 matching/.test((await result.textContent()) ?? '')) {
        found = true;
        break;
      }
    }
    expect(found).toBe(true);
    expect(await page.getByTestId('search-result').textContent()).toMatch(/^[1-9]\d* matching frames?, \d+\.\d+ % of total$/);
    expect(await page.getByTestId('pprof-command').textContent()).toMatch(/^go tool pprof -http=: 'http:\/\/127\.0\.0\.1:\d+\/api\/v1\/profiles\/.+\/pprof\?'$/);
    expect(await page.locator('table[aria-label="Hotspots"] td a').allTextContents()).toContain('main.burnCPU');
    await shot('flame');

    const canvas = page.locator('.flame-canvas canvas');
    // Hover the root row: the tooltip names it with its total.
    await canvas.hover({ position: { x: 20, y: 8 } });
    expect(await page.getByTestId('flame-tooltip').textContent()).toMatch(/^root.*total .*\(100\.00 %\)/);
    // Click the widest frame of the first row below the root: the view zooms into it.
    await canvas.click({ position: { x: 20, y: 18 + 8 } });
    await page.waitForFunction(() => window.location.hash.includes('focus='));
    expect(await page.getByTestId('zoom-path').locator('a').count()).toBe(2);
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForFunction(() => !window.location.hash.includes('focus='));
  });

  it('diff: the anomaly against the baseline renders, the culprit on top of the changes', async () => {
    await page.goto(`${fleet.httpUrl}/#/events?service=${SERVICE}&from=now-15m&to=now&event=${event.id}`);
    await page.getByTestId('event-details').waitFor({ timeout: 15_000 });
    // Each cpu profile of the event offers the diff; the last window covers the burn.
    await page.getByText('diff against the baseline').last().click();
    await page.waitForFunction(() => window.location.hash.startsWith('#/diff'));
    const rows = page.locator('table[aria-label="Changes"] tbody tr');
    await rows.first().waitFor({ timeout: 15_000 });
    await page.locator('.flame-canvas canvas').waitFor();
    expect(await rows.first().locator('td').first().textContent()).toBe('main.burnCPU');
    expect(await rows.first().getAttribute('class')).toBe('grew');
    await shot('diff');
  });

  it('diff: a window against the window just before it renders from the range picker', async () => {
    await page.goto(`${fleet.httpUrl}/#/diff?service=${SERVICE}&instance=${SERVICE}-0&type=cpu&from=now-5m&to=now`);
    await page.getByRole('button', { name: 'the same length just before' }).click();
    await page.waitForFunction(() => window.location.hash.includes('baseFrom='));
    await page.locator('table[aria-label="Changes"] tbody tr').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('.flame-canvas canvas').count()).toBe(1);
  });

  it('loaded nothing from anywhere but the aggregator', () => {
    expect(foreign).toEqual([]);
  });
});
