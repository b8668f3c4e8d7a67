import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, loadPackageDefinition, Metadata, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { INestApplication } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { parseCommandLine } from '@stackwatch/config';
import { loadIngestProto, type AgentMessage, type ServerMessage__Output, type Target } from '@stackwatch/contract';
import { waitFor } from '@stackwatch/testing';
import { protoPath as healthProtoPath, type HealthImplementation } from 'grpc-health-check';
import { AppModule } from '../app.module';
import { aggregatorOptions } from '../config/aggregator-config';
import { GRPC_HEALTH } from '../health/grpc-health';
import { MetricsService } from '../observe/metrics.service';
import { openProfileStore } from '../store/open-store';
import { PROFILE_STORE, type IngestBatch, type ProfileStore } from '../store/profile-store';
import { BatchWriter } from './batch-writer';
import { IngestGrpcServer } from './grpc-ingest-server';
import { IngestMetrics } from './ingest-metrics';

/**
 * The ingest path in one process, over real gRPC (grpc-js client ↔ the Nest microservice) into a
 * real DuckDB file. The store's write can be held (a gate in front of the real one) to see that
 * nothing is acknowledged before it commits, and the writer's queue is small so backpressure shows.
 */
const TOKEN = 'sekret-token-42';
const HEAP = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'profiles', 'go1.26-heap.pb.gz'));
const QUEUE_LIMIT = 5;
const target: Target = { service: 'checkout', instance: 'pod-1', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8', url: 'http://127.0.0.1:6060/' };

/** The real store, with a gate in front of write(). */
class GatedStore {
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  waiting = 0;

  constructor(readonly inner: ProfileStore) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  asStore(): ProfileStore {
    return new Proxy(this.inner, {
      get: (inner, key) => {
        if (key === 'write') {
          return async (batches: readonly IngestBatch[]) => {
            this.waiting++;
            await this.gate;
            this.waiting--;
            return inner.write(batches);
          };
        }
        const value: unknown = Reflect.get(inner, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(inner) : value;
      },
    });
  }
}

interface Stream {
  readonly answers: ServerMessage__Output[];
  /** Resolves with the call's final status. */
  readonly ended: Promise<{ code: number; details: string }>;
  write(message: AgentMessage): void;
  answerFor(id: string): Promise<ServerMessage__Output>;
  close(): void;
}

describe('gRPC ingest (in process, real gRPC and DuckDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackwatch-ingest-spec-'));
  let app: INestApplication;
  let gated: GatedStore;
  let address: string;
  let metrics: MetricsService;
  const streams: Stream[] = [];
  const now = Date.now();

  beforeAll(async () => {
    const config = parseCommandLine({ name: 'test', summary: '', version: '0' }, aggregatorOptions, ['--store', `duckdb:${join(dir, 'store.duckdb')}`, '--token', TOKEN], {});
    gated = new GatedStore(await openProfileStore(config.store));
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
      .overrideProvider(PROFILE_STORE)
      .useValue(gated.asStore())
      .overrideProvider(BatchWriter)
      .useFactory({
        factory: (store: ProfileStore, ingestMetrics: IngestMetrics) =>
          new BatchWriter(store, ingestMetrics, { log: () => undefined, warn: () => undefined, error: () => undefined }, {
            maxBatchRows: 1000,
            maxDelayMs: 20,
            maxQueuedMessages: QUEUE_LIMIT,
            maxQueuedBytes: 64 * 1024 * 1024,
            retryInitialMs: 20,
            retryMaxMs: 100,
          }),
        inject: [PROFILE_STORE, IngestMetrics],
      })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    const grpc = new IngestGrpcServer({ url: '127.0.0.1:0', credentials: ServerCredentials.createInsecure(), health: app.get<HealthImplementation>(GRPC_HEALTH) });
    app.connectMicroservice<MicroserviceOptions>({ strategy: grpc }, { inheritAppConfig: true });
    await app.init();
    await app.startAllMicroservices();
    address = `127.0.0.1:${grpc.port}`;
    metrics = app.get(MetricsService);
  });

  afterEach(() => {
    gated.release();
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function open(metadata = new Metadata()): Stream {
    const Ingest = loadIngestProto().stackwatch.v1.Ingest;
    const client = new Ingest(address, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
    const call = client.Stream(metadata);
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
      answerFor: (id) =>
        waitFor(`an answer for ${id}`, () => answers.find((a) => a.ack?.id === id || a.reject?.id === id), { timeoutMs: 10_000 }),
      close: () => {
        call.cancel();
        client.close();
      },
    };
    streams.push(stream);
    return stream;
  }

  async function welcomed(): Promise<Stream> {
    const stream = open();
    stream.write({ hello: { agent_id: 'agent-1', version: '0.1.0', token: TOKEN } });
    await waitFor('a welcome', () => stream.answers.find((a) => a.welcome), { timeoutMs: 10_000 });
    return stream;
  }

  const metricsMessage = (id: string, over: Partial<NonNullable<AgentMessage['metrics']>> = {}): AgentMessage => ({
    metrics: { id, target, points: [{ name: 'goroutines', value: 12, time_unix_ms: now }], ...over },
  });
  const eventMessage = (id: string): AgentMessage => ({
    event: { id, kind: 'cpu', target, time_unix_ms: now, value: 93, average: 20, threshold: 80, reason: 'cpu above 80%', profile_ids: [], findings: [] },
  });
  const profileMessage = (id: string, bytes: Buffer = HEAP): AgentMessage => ({
    profile: { id, target, type: 'heap', pprof_gzip: bytes, start_unix_ms: now, duration_ms: 0, trigger: { baseline: {} } },
  });
  const range = { fromMs: now - 60_000, toMs: now + 60_000 };

  it('welcomes a hello with its id and its receive limit', async () => {
    const stream = await welcomed();
    const welcome = stream.answers[0].welcome!;
    expect(welcome.max_message_bytes).toBe(8 * 1024 * 1024);
    expect(welcome.aggregator_id).toMatch(/^.+\/\d+$/);
  });

  it('ends a stream UNAUTHENTICATED when the token is missing or wrong, never echoing it', async () => {
    const wrong = open();
    wrong.write({ hello: { agent_id: 'agent-1', version: '0.1.0', token: 'not-the-token' } });
    const end = await wrong.ended;
    expect(end.code).toBe(status.UNAUTHENTICATED);
    expect(end.details).toBe('missing or wrong token (hello.token, or authorization: Bearer metadata)');
    expect(wrong.answers).toEqual([]);

    const missing = open();
    missing.write({ hello: { agent_id: 'agent-1', version: '0.1.0', token: '' } });
    expect((await missing.ended).code).toBe(status.UNAUTHENTICATED);
  });

  it('accepts the token as authorization: Bearer metadata', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const stream = open(metadata);
    stream.write({ hello: { agent_id: 'agent-1', version: '0.1.0', token: '' } });
    await waitFor('a welcome', () => stream.answers.find((a) => a.welcome), { timeoutMs: 10_000 });
  });

  it('ends a stream INVALID_ARGUMENT when it does not start with a hello', async () => {
    const stream = open();
    stream.write(metricsMessage('m-first'));
    expect(await stream.ended).toEqual({ code: status.INVALID_ARGUMENT, details: 'the first message of a stream must be a hello' });
  });

  it('ends the stream INVALID_ARGUMENT at a message it cannot name by id', async () => {
    const stream = await welcomed();
    stream.write(metricsMessage('m-before-no-id'));
    stream.write(metricsMessage(''));
    expect(await stream.ended).toEqual({ code: status.INVALID_ARGUMENT, details: 'metrics.id is empty: a message without an id can be neither acknowledged nor rejected' });
  });

  it('rejects each bad message with its reason and the field, and still acks the good ones after it', async () => {
    const stream = await welcomed();
    const bad: [AgentMessage, string, RegExp][] = [
      [metricsMessage('bad-label', { target: { ...target, labels: { 'no-dash': 'x' } } }), 'bad_field', /^metrics\.target\.labels name "no-dash"/],
      [{ profile: { ...profileMessage('bad-type').profile, type: 'wallclock' } }, 'unknown_type', /^profile\.type "wallclock"/],
      [metricsMessage('bad-time', { points: [{ name: 'goroutines', value: 1, time_unix_ms: now - 30 * 86_400_000 }] }), 'bad_time', /older than the retention of 7d/],
      [profileMessage('bad-pprof', Buffer.from('definitely not pprof')), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile/],
      [
        { profile: { ...profileMessage('bad-size').profile, pprof_gzip: HEAP.subarray(0, 100), chunk_index: 0, chunk_count: 2, total_bytes: 65 * 1024 * 1024 } },
        'too_large',
        /^profile\.total_bytes 68157440 is more than the limit/,
      ],
      [metricsMessage('x'.repeat(129)), 'bad_field', /^metrics\.id has 129 characters, more than 128$/],
    ];
    for (const [message] of bad) stream.write(message);
    stream.write(metricsMessage('good-after-bad'));
    stream.write(eventMessage('good-event-after-bad'));

    for (const [message, reason, text] of bad) {
      const id = (message.metrics ?? message.profile)!.id!;
      const answer = await stream.answerFor(id);
      expect(answer.reject).toBeTruthy();
      expect(answer.reject!.reason).toBe(reason);
      expect(answer.reject!.message).toMatch(text);
    }
    expect((await stream.answerFor('good-after-bad')).ack).toEqual({ id: 'good-after-bad' });
    expect((await stream.answerFor('good-event-after-bad')).ack).toEqual({ id: 'good-event-after-bad' });
    expect(await gated.inner.profiles({ ...range, limit: 100, ids: ['bad-type', 'bad-pprof', 'bad-size'] })).toEqual([]);
    const rejected = await metrics.registry.getSingleMetric('stackwatch_aggregator_messages_rejected_total')!.get();
    expect(rejected.values.find((v) => v.labels.reason === 'invalid_pprof')?.value).toBe(1);
  });

  it('cuts off a flood of distinct labels on a stream (cardinality), while its known series keep flowing', async () => {
    const stream = await welcomed();
    // 1000 distinct label sets are allowed per stream: the target's own plus 999 more.
    stream.write(metricsMessage('known-series'));
    for (let i = 1; i < 1000; i++) stream.write(metricsMessage(`flood-${i}`, { target: { ...target, labels: { request_id: String(i) } } }));
    stream.write(metricsMessage('flood-over', { target: { ...target, labels: { request_id: 'one-too-many' } } }));
    stream.write(metricsMessage('known-series-again'));
    expect((await stream.answerFor('flood-999')).ack).toBeTruthy();
    const over = await stream.answerFor('flood-over');
    expect(over.reject?.reason).toBe('cardinality');
    expect(over.reject?.message).toMatch(/would be this stream's target number 1001, more than 1000 distinct service\/instance\/label sets/);
    expect((await stream.answerFor('known-series-again')).ack).toEqual({ id: 'known-series-again' });
  }, 60_000);

  it('acks only after the store committed the rows', async () => {
    const stream = await welcomed();
    gated.hold();
    stream.write(eventMessage('e-held'));
    await waitFor('the write to reach the store', () => gated.waiting > 0, { timeoutMs: 10_000 });
    // The store holds the write: the event is neither acked nor stored yet.
    expect(stream.answers.filter((a) => a.ack)).toEqual([]);
    expect(await gated.inner.events({ ...range, limit: 10, service: 'checkout' })).not.toContainEqual(expect.objectContaining({ id: 'e-held' }));
    const releasedAt = Date.now();
    gated.release();
    await stream.answerFor('e-held');
    expect(Date.now()).toBeGreaterThanOrEqual(releasedAt);
    expect(await gated.inner.events({ ...range, limit: 10, service: 'checkout' })).toContainEqual(expect.objectContaining({ id: 'e-held' }));
  });

  it('acks a re-sent id again and stores it once', async () => {
    const first = await welcomed();
    first.write(eventMessage('e-twice'));
    await first.answerFor('e-twice');
    const second = await welcomed();
    second.write(eventMessage('e-twice'));
    expect((await second.answerFor('e-twice')).ack).toEqual({ id: 'e-twice' });
    const stored = await gated.inner.events({ ...range, limit: 100, service: 'checkout' });
    expect(stored.filter((e) => e.id === 'e-twice')).toHaveLength(1);
  });

  it('reassembles a chunked profile and acks it once, as a whole', async () => {
    const stream = await welcomed();
    const size = Math.ceil(HEAP.length / 3);
    for (let i = 0; i < 3; i++) {
      const part = HEAP.subarray(i * size, (i + 1) * size);
      stream.write({ profile: { ...profileMessage('p-chunked').profile, pprof_gzip: part, chunk_index: i, chunk_count: 3, total_bytes: HEAP.length } });
    }
    expect((await stream.answerFor('p-chunked')).ack).toEqual({ id: 'p-chunked' });
    const stored = await gated.inner.profile('p-chunked', range);
    expect(Buffer.from(stored!.pprofGzip).equals(HEAP)).toBe(true);
    expect(stream.answers.filter((a) => a.ack?.id === 'p-chunked')).toHaveLength(1);
  });

  it('stops reading while the commit queue is full and catches up when the store takes writes again', async () => {
    const stream = await welcomed();
    gated.hold();
    const ids = Array.from({ length: 40 }, (_, i) => `m-pressure-${i}`);
    for (const id of ids) stream.write(metricsMessage(id));
    await waitFor('the queue to fill', () => gated.waiting > 0, { timeoutMs: 10_000 });
    const queued = async () => (await metrics.registry.getSingleMetric('stackwatch_aggregator_ingest_queue_messages')!.get()).values[0].value;
    await waitFor('the queue to reach its bound', async () => (await queued()) >= QUEUE_LIMIT, { timeoutMs: 10_000 });
    // Give the stream every chance to over-read: flush the event loop a few times.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await queued()).toBe(QUEUE_LIMIT);
    gated.release();
    for (const id of ids) expect((await stream.answerFor(id)).ack).toEqual({ id });
  });

  it('reports SERVING on the gRPC health service while the store is ready', async () => {
    const definition = loadSync(healthProtoPath, { keepCase: true, longs: String, enums: String, defaults: true });
    const Health = (loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: new (address: string, creds: unknown) => HealthClient } } } }).grpc.health.v1.Health;
    const client = new Health(address, credentials.createInsecure());
    try {
      const answer = await waitFor(
        'SERVING',
        () =>
          new Promise<string | false>((resolve) =>
            client.Check({ service: 'stackwatch.v1.Ingest' }, (err, response) => resolve(!err && response?.status === 'SERVING' ? response.status : false)),
          ),
        { timeoutMs: 10_000 },
      );
      expect(answer).toBe('SERVING');
    } finally {
      client.close();
    }
  });
});

interface HealthClient {
  Check(request: { service: string }, callback: (err: Error | null, response?: { status: string }) => void): void;
  close(): void;
}
