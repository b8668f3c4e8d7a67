import { startClickHouse } from '@stackwatch/testing';
import { describeQueryApi } from '../../../apps/aggregator/src/query/__fixtures__/query-api-contract';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';

// The query API over HTTP against a private ClickHouse server (Debian's 18.16 in CI).
describeQueryApi('ClickHouse', async () => {
  const server = await startClickHouse();
  try {
    const store = await openProfileStore({ kind: 'clickhouse', url: server.url, database: 'stackwatch', username: 'default', password: '' });
    return {
      store,
      close: async () => {
        await store.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
});
