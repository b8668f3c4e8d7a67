import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeQueryApi } from '../../../apps/aggregator/src/query/__fixtures__/query-api-contract';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';

// The query API over HTTP against the embedded store: a real DuckDB file in a temp directory.
describeQueryApi('DuckDB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-api-duckdb-'));
  const store = await openProfileStore({ kind: 'duckdb', path: join(dir, 'stackwatch.duckdb') });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
