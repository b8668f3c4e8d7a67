import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AggregatorConfig } from '../config/aggregator-config';
import { MetricsService } from '../observe/metrics.service';
import { openProfileStore } from '../store/open-store';
import type { ProfileStore } from '../store/profile-store';
import { RetentionService } from './retention.service';

const DAY = 86_400_000;

describe('RetentionService (real DuckDB store)', () => {
  let dir: string;
  let store: ProfileStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retention-'));
    store = await openProfileStore({ kind: 'duckdb', path: join(dir, 'store.duckdb') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the days older than the retention, keeps the rest, and counts what it dropped', async () => {
    const now = Date.UTC(2026, 10, 27, 12);
    const event = (id: string, timeMs: number) => ({
      messageId: id,
      timeMs,
      events: [{ id, timeMs, service: 's', instance: 'i', kind: 'cpu', value: 1, average: 1, threshold: 1, reason: 'r', profileIds: [], findings: [] }],
    });
    await store.write([event('old', now - 3 * DAY), event('edge', now - 2 * DAY), event('new', now - DAY / 2)]);
    const metrics = new MetricsService();
    const retention = new RetentionService(store, { retention: 2 * DAY } as AggregatorConfig, metrics);

    expect(await retention.enforce(now)).toEqual(['2026-11-24']);
    const left = await store.events({ fromMs: now - 10 * DAY, toMs: now + DAY, limit: 10 });
    expect(left.map((e) => e.id).sort()).toEqual(['edge', 'new']);
    expect(await retention.enforce(now)).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('stackwatch_aggregator_retention_days_dropped_total')).toMatch(/ 1$/m);
  });
});
