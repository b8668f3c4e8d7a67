// An aggregator started while its ClickHouse is down (both restarted together, a rollout): it
// serves HTTP and gRPC at once, reports not ready without acknowledging anything, and once the
// server answers it applies the schema, becomes ready and stores what agents send.
import { openIngestStream, startApp, startClickHouse, waitFor, type AppProcess, type ClickHouseServer } from '@stackwatch/testing';

describe('aggregator started before its ClickHouse', () => {
  let clickhouse: ClickHouseServer | undefined;
  let aggregator: AppProcess | undefined;

  afterAll(async () => {
    await aggregator?.stop('SIGKILL');
    await clickhouse?.stop();
  });

  it('is not ready and acknowledges nothing until the server answers, then stores what it was sent', async () => {
    clickhouse = await startClickHouse();
    await clickhouse.halt();
    aggregator = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `clickhouse://default@127.0.0.1:${clickhouse.httpPort}/late`],
      /HTTP on (http:\/\/\S+)/,
    );
    const http = aggregator.ready[1];
    const grpc = /gRPC on (\S+)/.exec(aggregator.logs())![1];
    const readyz = await fetch(`${http}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toMatch(/not open yet/);
    const query = await fetch(`${http}/api/v1/services`);
    expect({ status: query.status, retryAfter: query.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    expect(((await query.json()) as { message: string }).message).toMatch(/^the store is not open yet: /);

    const stream = openIngestStream(grpc);
    try {
      await stream.hello();
      const now = Date.now();
      const sent = stream.sendAll(
        Array.from({ length: 5 }, (_, i) => ({
          event: { id: `late-${i}`, kind: 'cpu', target: { service: 'late', instance: 'i-1' }, time_unix_ms: now, value: 90, average: 10, threshold: 70, reason: 'cpu' },
        })),
        { timeoutMs: 60_000 },
      );
      // The writer tried to commit them and failed: nothing may have been acknowledged.
      await waitFor(
        'a failed store write',
        async () => /^stackwatch_aggregator_store_errors_total [1-9]/m.test(await (await fetch(`${http}/metrics`)).text()),
        { timeoutMs: 15_000 },
      );
      expect(stream.answers.filter((a) => a.ack || a.reject)).toEqual([]);

      await clickhouse.resume();
      await waitFor('/readyz to report 200', async () => (await fetch(`${http}/readyz`)).status === 200, { timeoutMs: 30_000 });
      expect(await sent).toEqual({ acked: 5, rejected: 0 });
      expect((await clickhouse.query("SELECT count() FROM late.events WHERE service = 'late'")).trim()).toBe('5');
      expect(aggregator.logs()).toMatch(/store not open yet \(retrying\): /);
    } finally {
      stream.close();
    }
  });
});
