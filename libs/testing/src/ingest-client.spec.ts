import type { AgentMessage } from '@stackwatch/contract';
import { openIngestStream } from './ingest-client';
import { startIngestTestServer, type IngestTestServer } from './ingest-test-server';

const metrics = (id: string): AgentMessage => ({
  metrics: { id, target: { service: 'svc', instance: 'i-1' }, points: [{ name: 'goroutines', value: 1, time_unix_ms: Date.now() }] },
});

describe('openIngestStream (against the reference ingest server)', () => {
  let server: IngestTestServer | undefined;
  afterEach(async () => server?.stop());

  it('says hello, keeps a window of messages in flight, and counts acks and rejects', async () => {
    server = await startIngestTestServer({ token: 't', rejectIf: (m) => (m.metrics?.id.startsWith('bad') ? 'bad_field' : undefined) });
    const stream = openIngestStream(server.address);
    try {
      expect((await stream.hello('t')).max_message_bytes).toBeGreaterThan(0);
      const messages = [...Array.from({ length: 50 }, (_, i) => metrics(`m-${i}`)), metrics('bad-1')];
      expect(await stream.sendAll(messages, { window: 8 })).toEqual({ acked: 50, rejected: 1 });
      expect(server.ids().size).toBe(50);
    } finally {
      stream.close();
    }
  });

  it('fails fast when the stream ends: a wrong token', async () => {
    server = await startIngestTestServer({ token: 'right' });
    const stream = openIngestStream(server.address);
    try {
      await expect(stream.hello('wrong')).rejects.toThrow(/stream ended \(16 /);
    } finally {
      stream.close();
    }
  });
});
