import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage__Output, Hello__Output, ServerMessage, Welcome } from '@stackwatch/contract';
import type { IngestBatch } from '../store/profile-store';
import type { BatchWriter, IngestLogger } from './batch-writer';
import { CardinalityLimit } from './cardinality-limit';
import { ChunkAssembler } from './chunk-assembler';
import { classifyMessage, type DataKind, type DataMessage } from './data-message';
import { toIngestBatch } from './ingest-batch';
import { INGEST_LIMITS } from './ingest-limits';
import type { IngestMetrics } from './ingest-metrics';
import { validateMessage, type TimeWindow } from './message-validation';
import { RejectError } from './reject';
import { presentsToken } from './token-check';

export type IngestCall = ServerDuplexStream<AgentMessage__Output, ServerMessage>;

/** What every stream shares: the one batch writer, metrics, the token and the clock. */
export interface StreamContext {
  readonly writer: BatchWriter;
  readonly metrics: IngestMetrics;
  readonly logger: IngestLogger;
  readonly welcome: Required<Welcome>;
  /** The bearer token agents must present; undefined when none is required. */
  readonly token: string | undefined;
  /** Now and the retention, read per message. */
  readonly window: () => TimeWindow;
}

type State = 'awaiting_hello' | 'open' | 'closed';

/**
 * One agent's `Ingest.Stream` call: Hello → Welcome, then each data message validated, converted
 * and handed to the batch writer, answered with Ack once committed or Reject when it can never be
 * stored. A message the aggregator cannot answer by id (no hello first, no id, no body) ends the
 * stream with INVALID_ARGUMENT; a wrong token with UNAUTHENTICATED. Reading pauses while the
 * writer's queue is full, so a slow store pushes back through gRPC flow control to the agents.
 */
export class IngestStream {
  /** Resolves once the stream is over, however it ended. */
  readonly closed: Promise<void>;
  private resolveClosed: () => void = () => undefined;
  private state: State = 'awaiting_hello';
  private readonly chunks = new ChunkAssembler();
  private readonly cardinality = new CardinalityLimit();
  private agentId = '';
  /** Messages handed to the writer and not yet answered. */
  private pending = 0;
  private clientDone = false;
  private throttled = false;
  private stopped = false;

  constructor(
    private readonly call: IngestCall,
    private readonly context: StreamContext,
  ) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  start(): void {
    this.call.on('data', (message: AgentMessage__Output) => this.onMessage(message));
    // The agent half-closed: answer what is pending, then end with OK.
    this.call.on('end', () => {
      this.clientDone = true;
      this.endWhenSettled();
    });
    this.call.on('cancelled', () => this.close());
    // Stays attached: an 'error' without a listener would crash the process.
    this.call.on('error', () => this.close());
    this.call.on('close', () => this.close());
  }

  /** Shutdown, first step: read nothing more; answers of what is pending still go out. */
  stopReading(): void {
    this.stopped = true;
    this.call.pause();
  }

  /** Shutdown, last step: ends the stream UNAVAILABLE so the agent reconnects (elsewhere). */
  end(details: string): void {
    this.fail(status.UNAVAILABLE, details, { count: false });
  }

  private onMessage(message: AgentMessage__Output): void {
    if (this.state === 'closed') return;
    const classified = classifyMessage(message);
    if (this.state === 'awaiting_hello') {
      if (classified !== 'hello') return this.fail(status.INVALID_ARGUMENT, 'the first message of a stream must be a hello');
      return this.onHello(message.hello!);
    }
    if (classified === 'hello') return this.fail(status.INVALID_ARGUMENT, 'a second hello on the same stream');
    if (!classified) return this.fail(status.INVALID_ARGUMENT, 'an AgentMessage with no body: expected one of target_status, metrics, profile, event');
    const { kind, body } = classified;
    if (body.id === '') return this.fail(status.INVALID_ARGUMENT, `${kind}.id is empty: a message without an id can be neither acknowledged nor rejected`);
    try {
      this.accept(classified);
    } catch (err) {
      if (err instanceof RejectError) return this.reject(kind, body.id, err);
      this.context.logger.error(`ingest of ${kind} ${body.id} from agent ${this.agentId} failed: ${(err as Error).stack ?? String(err)}`);
      this.fail(status.INTERNAL, `the aggregator failed on ${kind} ${body.id}`);
    }
  }

  private onHello(hello: Hello__Output): void {
    if (hello.agent_id === '') return this.fail(status.INVALID_ARGUMENT, 'hello.agent_id is empty');
    if (hello.agent_id.length > INGEST_LIMITS.maxAgentIdChars) {
      return this.fail(status.INVALID_ARGUMENT, `hello.agent_id has ${hello.agent_id.length} characters, more than ${INGEST_LIMITS.maxAgentIdChars}`);
    }
    this.agentId = hello.agent_id;
    // The token itself is never logged nor echoed.
    if (!presentsToken(this.context.token, hello.token, this.call.metadata)) {
      return this.fail(status.UNAUTHENTICATED, 'missing or wrong token (hello.token, or authorization: Bearer metadata)');
    }
    this.state = 'open';
    this.context.metrics.connectedAgents.inc();
    this.send({ welcome: this.context.welcome });
  }

  /** Validates, assembles chunks, converts; throws RejectError for a message that will never be stored. */
  private accept(message: DataMessage): void {
    const window = this.context.window();
    let whole = message;
    if (message.kind === 'profile' && message.body.chunk_count > 1) {
      const { id } = message.body;
      if (this.chunks.wasRejected(id)) return;
      try {
        // Each chunk carries the whole profile's metadata: a bad one is rejected at its first chunk.
        validateMessage(message, window);
      } catch (err) {
        this.chunks.markRejected(id);
        throw err;
      }
      const result = this.chunks.add(message.body);
      if (result.status === 'partial' || result.status === 'ignored') return;
      if (result.status === 'rejected') throw result.error;
      whole = { kind: 'profile', body: result.profile };
    } else if (message.kind === 'profile' && message.body.chunk_index !== 0) {
      throw new RejectError('bad_field', `profile.chunk_index ${message.body.chunk_index} in a profile that is not chunked (chunk_count ${message.body.chunk_count})`);
    }
    const valid = validateMessage(whole, window);
    this.cardinality.admit(valid);
    const batch = toIngestBatch(valid);
    this.commit(whole.kind, whole.body.id, batch);
  }

  private commit(kind: DataKind, id: string, batch: IngestBatch): void {
    const { writer } = this.context;
    this.pending++;
    void writer
      .submit(batch, kind)
      .then(
        () => this.send({ ack: { id } }),
        (err: unknown) => {
          // Refused by the store's own input check: never stored. Anything else means given up
          // at shutdown: not answered, so the agent re-sends it.
          if (err instanceof RejectError) this.reject(kind, id, err);
        },
      )
      .finally(() => {
        this.pending--;
        this.endWhenSettled();
      });
    if (writer.isFull()) this.throttle();
  }

  /** Stops reading until the writer's queue has room: gRPC flow control then holds the agent. */
  private throttle(): void {
    if (this.throttled) return;
    this.throttled = true;
    this.call.pause();
    void this.context.writer.whenRoom().then(() => {
      this.throttled = false;
      if (this.state !== 'closed' && !this.stopped) this.call.resume();
    });
  }

  private reject(kind: DataKind, id: string, err: RejectError): void {
    this.context.metrics.rejected.inc({ kind, reason: err.reason });
    this.send({ reject: { id, reason: err.reason, message: err.message } });
  }

  private send(reply: ServerMessage): void {
    if (this.state === 'closed' || this.call.cancelled || this.call.writableEnded) return;
    // Answers are small and the agent bounds what it has in flight, so no drain wait is needed.
    this.call.write(reply);
  }

  private endWhenSettled(): void {
    if (!this.clientDone || this.pending > 0 || this.state === 'closed') return;
    this.close();
    this.call.end();
  }

  /** Ends the call with an error status (sent after the answers already written). */
  private fail(code: status, details: string, { count = true }: { count?: boolean } = {}): void {
    if (this.state === 'closed') return;
    if (count) {
      this.context.metrics.streamsFailed.inc({ code: status[code] });
      this.context.logger.warn(`ingest stream${this.agentId ? ` of agent ${this.agentId}` : ''} ended ${status[code]}: ${details}`);
    }
    this.close();
    this.call.emit('error', Object.assign(new Error(details), { code, details }));
  }

  private close(): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.context.metrics.connectedAgents.dec();
    this.state = 'closed';
    this.chunks.clear();
    this.resolveClosed();
  }
}
