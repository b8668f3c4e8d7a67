// The aggregator process (bin/stackwatch-aggregator on a DuckDB file) against a grpc-js client
// sending crafted messages: the protocol of docs/protocol.md as the agent relies on it. What was
// stored is read back through the real DuckDB store once the aggregator has stopped (DuckDB lets
// one process at a time open the file).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadIngestProto, type AgentMessage, type ServerMessage__Output, type Target } from '@stackwatch/contract';
import { createTestPki, startApp, waitFor, type AppProcess } from '@stackwatch/testing';
import { parseStoreUrl } from '../../../apps/aggregator/src/config/store-url';
import { openProfileStore } from '../../../apps/aggregator/src/store/open-store';
import type { EventRecord } from '../../../apps/aggregator/src/store/profile-store';

const TOKEN = 'protocol-test-token-7f3a';
const HEAP = readFileSync(join(__dirname, '..', '..', 'fixtures', 'profiles', 'go1.26-heap.pb.gz'));
const target: Target = { service: 'protocol', instance: 'pod-1', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8', url: 'http://127.0.0.1:6060/' };

interface Aggregator {
  readonly process: AppProcess;
  readonly grpc: string;
  readonly http: string;
  readonly storePath: string;
}

interface Stream {
  readonly answers: ServerMessage__Output[];
  readonly ended: Promise<{ code: number; details: string }>;
  write(message: AgentMessage): void;
  answerFor(id: string, timeoutMs?: number): Promise<ServerMessage__Output>;
  acked(): string[];
  close(): void;
}

describe('aggregator ingest protocol (real process, grpc-js client, DuckDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-ingest-protocol-'));
  const running: AppProcess[] = [];
  const streams: Stream[] = [];
  const now = Date.now();

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  async function aggregator(name: string, extra: string[] = []): Promise<Aggregator> {
    const storePath = join(dir, name, 'store.duckdb');
    const process = await startApp(
      'stackwatch-aggregator',
      ['--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--store', `duckdb:${storePath}`, '--token', TOKEN, ...extra],
      /HTTP on (http:\/\/\S+)/,
    );
    running.push(process);
    const grpc = /gRPC on (\S+)/.exec(process.logs())![1];
    return { process, grpc, http: process.ready[1], storePath };
  }

  function open(address: string, channel: ChannelCredentials = credentials.createInsecure()): Stream {
    const Ingest = loadIngestProto().stackwatch.v1.Ingest;
    const client = new Ingest(address, channel);
    const call = client.Stream();
    const answers: ServerMessage__Output[] = [];
    call.on('data', (message: ServerMessage__Output) => answers.push(message));
    const ended = new Promise<{ code: number; details: string }>((resolve) => {
      call.on('error', (err: ServiceError) => resolve({ code: err.code, details: err.details }));
      call.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details }));
    });
    const stream: Stream = {
      answers,
      ended,
      write: (message) => call.write(message),
      answerFor: (id, timeoutMs = 15_000) => waitFor(`an answer for ${id}`, () => answers.find((a) => a.ack?.id === id || a.reject?.id === id), { timeoutMs }),
      acked: () => answers.flatMap((a) => (a.ack ? [a.ack.id] : [])),
      close: () => {
        call.cancel();
        client.close();
      },
    };
    streams.push(stream);
    return stream;
  }

  async function welcomed(address: string, channel?: ChannelCredentials): Promise<Stream> {
    const stream = open(address, channel);
    stream.write({ hello: { agent_id: 'protocol-test', version: '0.1.0', token: TOKEN } });
    await waitFor('a welcome', () => stream.answers.find((a) => a.welcome), { timeoutMs: 15_000 });
    return stream;
  }

  /** Stops the aggregator (SIGTERM unless told otherwise) and reads its events back from the DuckDB file. */
  async function storedEvents(agg: Aggregator, signal: NodeJS.Signals = 'SIGTERM'): Promise<EventRecord[]> {
    await agg.process.stop(signal);
    const store = await openProfileStore(parseStoreUrl(`duckdb:${agg.storePath}`));
    try {
      return [...(await store.events({ fromMs: now - 3_600_000, toMs: now + 3_600_000, limit: 100_000, service: target.service }))];
    } finally {
      await store.close();
    }
  }

  const event = (id: string): AgentMessage => ({
    event: { id, kind: 'cpu', target, time_unix_ms: now, value: 93, average: 20, threshold: 80, reason: 'cpu above 80%', profile_ids: [], findings: [] },
  });
  const metrics = (id: string, over: Partial<NonNullable<AgentMessage['metrics']>> = {}): AgentMessage => ({
    metrics: { id, target, points: [{ name: 'goroutines', value: 12, time_unix_ms: now }], ...over },
  });
  const profile = (id: string, over: Partial<NonNullable<AgentMessage['profile']>> = {}): AgentMessage => ({
    profile: { id, target, type: 'heap', pprof_gzip: HEAP, start_unix_ms: now, duration_ms: 0, trigger: { baseline: {} }, ...over },
  });

  it('rejects each bad message with its reason naming the field, acks the good ones after it, and stores a re-sent id once', async () => {
    const agg = await aggregator('rejects');
    const stream = await welcomed(agg.grpc);
    const bad: [string, AgentMessage, string, RegExp][] = [
      ['r-label', metrics('r-label', { target: { ...target, labels: { 'bad-label': 'x' } } }), 'bad_field', /^metrics\.target\.labels name "bad-label"/],
      ['r-service', { event: { ...event('r-service').event!, target: { ...target, service: '' } } }, 'bad_field', /^event\.target\.service is empty$/],
      ['r-type', profile('r-type', { type: 'wallclock' }), 'unknown_type', /^profile\.type "wallclock" is not one of/],
      ['r-kind', { event: { ...event('r-kind').event!, kind: 'disk_full' } }, 'unknown_type', /^event\.kind "disk_full" is not one of/],
      ['r-old', { event: { ...event('r-old').event!, time_unix_ms: now - 8 * 86_400_000 } }, 'bad_time', /^event\.time_unix_ms .* is older than the retention of 7d$/],
      ['r-future', { event: { ...event('r-future').event!, time_unix_ms: now + 3_600_000 } }, 'bad_time', /is more than 10 minutes in the future$/],
      ['r-pprof', profile('r-pprof', { pprof_gzip: Buffer.from('not a pprof profile') }), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile: /],
      ['r-gzip', profile('r-gzip', { pprof_gzip: HEAP.subarray(0, Math.floor(HEAP.length / 2)) }), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile: truncated gzip stream$/],
      ['r-large', profile('r-large', { pprof_gzip: HEAP.subarray(0, 64), chunk_index: 0, chunk_count: 20, total_bytes: 100 * 1024 * 1024 }), 'too_large', /^profile\.total_bytes 104857600 is more than the limit/],
    ];
    for (const [, message] of bad) stream.write(message);
    // Hostile text is just text: stored verbatim.
    const hostileInstance = "i-1'; DROP TABLE events; --\\'\u00e9\u{1F600}";
    stream.write({ event: { ...event('good-hostile').event!, target: { ...target, instance: hostileInstance, labels: { note: "' OR '1'='1" } } } });
    stream.write(event('good-1'));
    stream.write(profile('good-profile'));
    stream.write(event('good-1')); // a re-send on the same stream

    for (const [id, , reason, text] of bad) {
      const answer = await stream.answerFor(id);
      expect({ id, reason: answer.reject?.reason }).toEqual({ id, reason });
      expect(answer.reject!.message).toMatch(text);
    }
    expect((await stream.answerFor('good-1')).ack).toEqual({ id: 'good-1' });
    expect((await stream.answerFor('good-profile')).ack).toEqual({ id: 'good-profile' });
    await waitFor('both acks of good-1', () => stream.acked().filter((id) => id === 'good-1').length === 2, { timeoutMs: 10_000 });

    // A re-send on a new stream (after a reconnect) is acked again.
    const again = await welcomed(agg.grpc);
    again.write(event('good-1'));
    expect((await again.answerFor('good-1')).ack).toEqual({ id: 'good-1' });

    const metricsText = await (await fetch(`${agg.http}/metrics`)).text();
    expect(metricsText).toMatch(/^stackwatch_aggregator_messages_rejected_total\{kind="profile",reason="invalid_pprof"\} 2$/m);
    expect(metricsText).toMatch(/^stackwatch_aggregator_messages_ingested_total\{kind="event"\} 2$/m);
    // At least the re-send on the second stream; the one on the first may have shared good-1's write.
    expect(Number(/^stackwatch_aggregator_messages_duplicate_total\{kind="event"\} (\d+)$/m.exec(metricsText)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metricsText).toMatch(/^stackwatch_aggregator_profiles_ingested_total\{type="heap"\} 1$/m);
    expect(metricsText).toMatch(/^stackwatch_aggregator_connected_agents 2$/m);

    expect((await stream.answerFor('good-hostile')).ack).toEqual({ id: 'good-hostile' });
    const events = await storedEvents(agg);
    expect(events.map((e) => e.id).sort()).toEqual(['good-1', 'good-hostile']);
    expect(events.find((e) => e.id === 'good-hostile')?.instance).toBe(hostileInstance);
  });

  it('ends a stream RESOURCE_EXHAUSTED on a message over its 8 MiB receive limit, and keeps serving others', async () => {
    const agg = await aggregator('oversized');
    const stream = await welcomed(agg.grpc);
    stream.write(profile('too-big', { pprof_gzip: Buffer.alloc(9 * 1024 * 1024, 1) }));
    const ended = await stream.ended;
    expect(ended.code).toBe(8); // RESOURCE_EXHAUSTED
    const next = await welcomed(agg.grpc);
    next.write(event('after-oversized'));
    expect((await next.answerFor('after-oversized')).ack).toEqual({ id: 'after-oversized' });
  });

  it('accepts a message carrying fields it does not know (a newer agent), as protobuf intends', async () => {
    const agg = await aggregator('unknown-fields');
    const method = loadIngestProto().stackwatch.v1.Ingest.service.Stream;
    // The bytes an agent of a later release would send: a known message plus an unknown field 99.
    const RawClient = makeGenericClientConstructor({ Stream: { ...method, requestSerialize: (bytes: Buffer) => bytes } }, 'RawIngest');
    const client = new RawClient(agg.grpc, credentials.createInsecure()) as unknown as { Stream(): ClientDuplexStream<Buffer, ServerMessage__Output>; close(): void };
    const call = client.Stream();
    const answers: ServerMessage__Output[] = [];
    call.on('data', (answer: ServerMessage__Output) => answers.push(answer));
    call.on('error', () => undefined);
    const unknownField = Buffer.from([0x98, 0x06, 0x2a]); // field 99, varint 42
    call.write(Buffer.concat([method.requestSerialize({ hello: { agent_id: 'from-the-future', version: '9.0.0', token: TOKEN } }), unknownField]));
    call.write(Buffer.concat([method.requestSerialize(event('with-unknown-field')), unknownField]));
    try {
      const answer = await waitFor('an answer', () => answers.find((a) => a.ack ?? a.reject), { timeoutMs: 15_000 });
      expect(answer.ack).toEqual({ id: 'with-unknown-field' });
    } finally {
      call.cancel();
      client.close();
    }
  });

  it('ends a stream INVALID_ARGUMENT at a message without an id, and UNAUTHENTICATED on a wrong token it never logs', async () => {
    const agg = await aggregator('status');
    const noId = await welcomed(agg.grpc);
    noId.write(event(''));
    expect(await noId.ended).toEqual({ code: 3, details: 'event.id is empty: a message without an id can be neither acknowledged nor rejected' });

    const wrong = open(agg.grpc);
    wrong.write({ hello: { agent_id: 'protocol-test', version: '0.1.0', token: 'guessed-token-123' } });
    expect((await wrong.ended).code).toBe(16);
    await agg.process.stop();
    expect(agg.process.logs()).toMatch(/ended UNAUTHENTICATED/);
    expect(agg.process.logs()).not.toContain('guessed-token-123');
    expect(agg.process.logs()).not.toContain(TOKEN);
  });

  it('acks only what is committed: every acked id survives the aggregator being killed mid-stream', async () => {
    const agg = await aggregator('kill');
    const stream = await welcomed(agg.grpc);
    const ids = Array.from({ length: 2_000 }, (_, i) => `k-${i}`);
    for (const id of ids) stream.write(event(id));
    await waitFor('some acks', () => stream.acked().length >= 100, { timeoutMs: 30_000 });
    await agg.process.stop('SIGKILL');
    const acked = stream.acked();
    const stored = new Set((await storedEvents(agg, 'SIGKILL')).map((e) => e.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.length);
  });

  it('on SIGTERM, acks what it accepted, ends the stream UNAVAILABLE and exits 0', async () => {
    const agg = await aggregator('sigterm');
    const stream = await welcomed(agg.grpc);
    const ids = Array.from({ length: 500 }, (_, i) => `t-${i}`);
    for (const id of ids) stream.write(event(id));
    await waitFor('some acks', () => stream.acked().length >= 1, { timeoutMs: 15_000 });
    const exited = agg.process.stop('SIGTERM');
    expect(await stream.ended).toEqual({ code: 14, details: 'the aggregator is stopping' });
    expect(await exited).toBe(0);
    const acked = stream.acked();
    const stored = new Set((await storedEvents(agg)).map((e) => e.id));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
    // Everything it read before the signal was committed and acknowledged, none left unanswered.
    expect([...stored].filter((id) => !acked.includes(id))).toEqual([]);
  });

  it('serves mutual TLS: a client with a certificate from the CA is welcomed, one without is refused', async () => {
    const pki = createTestPki(join(dir, 'tls'));
    const agg = await aggregator('tls', ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey, '--tls-client-ca', pki.ca]);
    expect(agg.process.logs()).toContain(', TLS');
    // Node refuses an IP address as TLS server name: dial localhost.
    const address = agg.grpc.replace('127.0.0.1', 'localhost');
    const ca = readFileSync(pki.ca);
    const mutual = await welcomed(address, credentials.createSsl(ca, readFileSync(pki.clientKey), readFileSync(pki.clientCert)));
    mutual.write(event('over-mtls'));
    expect((await mutual.answerFor('over-mtls')).ack).toEqual({ id: 'over-mtls' });

    const anonymous = open(address, credentials.createSsl(ca));
    anonymous.write({ hello: { agent_id: 'no-cert', version: '0.1.0', token: TOKEN } });
    expect((await anonymous.ended).code).toBe(14);
    expect(anonymous.answers).toEqual([]);

    const plaintext = open(agg.grpc);
    plaintext.write({ hello: { agent_id: 'plain', version: '0.1.0', token: TOKEN } });
    expect((await plaintext.ended).code).toBe(14);
  });

  it('refuses to start with half a TLS configuration, naming the flag', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(join(__dirname, '..', '..', '..', 'bin', 'stackwatch-aggregator'), ['--tls-cert', join(dir, 'cert.pem'), '--store', `duckdb:${join(dir, 'never.duckdb')}`], { stdio: 'pipe' });
    } catch (err) {
      failure = { status: (err as { status: number }).status, stderr: String((err as { stderr: Buffer }).stderr) };
    }
    expect(failure).toEqual({ status: 2, stderr: 'stackwatch-aggregator: invalid --tls-cert/--tls-key: give both to serve TLS (--tls-client-ca needs them too)\n' });
  });
});
