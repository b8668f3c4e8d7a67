import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { credentials, Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage, AgentMessage__Output, ServerMessage, ServerMessage__Output } from './index';
import { loadIngestProto } from './ingest-proto';

const repoRoot = join(__dirname, '..', '..', '..');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe('wire contract', () => {
  it('has generated types that match proto/ (run npm run proto:gen after editing the .proto)', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'stackwatch-proto-'));
    try {
      execFileSync('bash', [join(repoRoot, 'scripts/proto-gen.sh'), fresh], { cwd: repoRoot, stdio: 'pipe' });
      const committedDir = join(__dirname, 'generated');
      const read = (dir: string) =>
        Object.fromEntries(listFiles(dir).map((f) => [relative(dir, f), readFileSync(f, 'utf8')]));
      expect(read(committedDir)).toEqual(read(fresh));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);

  describe('over a real gRPC stream', () => {
    let server: Server;
    let address: string;
    const received: AgentMessage__Output[] = [];

    beforeAll(async () => {
      const proto = loadIngestProto();
      server = new Server();
      server.addService(proto.stackwatch.v1.Ingest.service, {
        Stream: (call: ServerDuplexStream<AgentMessage__Output, ServerMessage>) => {
          call.on('data', (msg: AgentMessage__Output) => {
            received.push(msg);
            if (msg.body === 'hello') call.write({ welcome: { aggregator_id: 'test', max_message_bytes: 4 << 20 } });
            else if (msg.body === 'profile') call.write({ ack: { id: msg.profile!.id } });
          });
          call.on('end', () => call.end());
        },
      });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
      );
      address = `127.0.0.1:${port}`;
    });

    afterAll(() => server.forceShutdown());

    it('carries a hello, a profile with 64-bit fields and a trigger, and acknowledges by id', async () => {
      const proto = loadIngestProto();
      const client = new proto.stackwatch.v1.Ingest(address, credentials.createInsecure());
      const replies: ServerMessage__Output[] = [];
      const call = client.Stream();
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (m: ServerMessage__Output) => replies.push(m));
        call.on('end', resolve);
        call.on('error', reject);
      });
      const pprof = Buffer.from([0x1f, 0x8b, 1, 2, 3]);
      const messages: AgentMessage[] = [
        { hello: { agent_id: 'agent-1', version: '0.1.0', token: 's3cret' } },
        {
          profile: {
            id: 'p-1',
            target: { service: 'checkout', instance: 'pod-a', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8' },
            type: 'cpu',
            pprof_gzip: pprof,
            start_unix_ms: 1_790_000_000_123,
            duration_ms: 10_000,
            trigger: { rule: { rule: 'cpu', value: 91.5, average: 20, threshold: 70, event_id: 'e-1' } },
          },
        },
      ];
      for (const m of messages) call.write(m);
      call.end();
      await done;
      client.close();

      expect(replies.map((r) => r.body)).toEqual(['welcome', 'ack']);
      expect(replies[1].ack).toEqual({ id: 'p-1' });
      const profile = received[1].profile!;
      expect(received[1].body).toBe('profile');
      expect(profile.target).toEqual({
        service: 'checkout',
        instance: 'pod-a',
        labels: { zone: 'a' },
        pid: 42,
        go_version: 'go1.26.8',
        url: '',
      });
      expect(profile.start_unix_ms).toBe(1_790_000_000_123);
      expect(Buffer.compare(profile.pprof_gzip, pprof)).toBe(0);
      expect(profile.trigger?.kind).toBe('rule');
      expect(profile.trigger?.rule).toEqual({ rule: 'cpu', value: 91.5, average: 20, threshold: 70, event_id: 'e-1' });
      expect(profile.chunk_count).toBe(0);
    });
  });
});
