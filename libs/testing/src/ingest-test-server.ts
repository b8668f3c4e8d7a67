import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  loadIngestProto,
  type AgentMessage__Output,
  type Hello__Output,
  type IngestHandlers,
  type Profile__Output,
  type ServerMessage,
} from '@stackwatch/contract';
import { waitFor } from './wait';

/**
 * A real `stackwatch.v1.Ingest` server for agent tests: the peer the agent talks to until the
 * aggregator takes its place in e2e tests. It follows docs/protocol.md (Hello first, Welcome,
 * Ack or Reject per id, chunked profiles reassembled) and records what it stored.
 */
export interface IngestTestServerOptions {
  /** Port on 127.0.0.1; 0 or absent lets the OS pick one. */
  readonly port?: number;
  /** When set, a Hello with another token ends the stream with UNAUTHENTICATED. */
  readonly token?: string;
  /** Announced in Welcome and enforced as gRPC's receive limit (default 4 MiB). */
  readonly maxMessageBytes?: number;
  /** Delay before each ack or reject, like a store's commit time. */
  readonly ackDelayMs?: number;
  /** Never answer data messages: an aggregator whose store hangs. */
  readonly holdAcks?: boolean;
  /** Welcome, then end the stream UNAVAILABLE at its first data message: a store that is down. */
  readonly storeDown?: boolean;
  /** A reject reason for a message, or undefined to store it. Sees assembled profiles. */
  readonly rejectIf?: (message: AgentMessage__Output) => string | undefined;
  /** Serve TLS with this key pair; `ca` + `requireClientCert` demand mutual TLS. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer; readonly requireClientCert?: boolean };
}

export interface IngestTestServer {
  /** host:port to give the agent. */
  readonly address: string;
  readonly port: number;
  /** Stored messages: one per id (the first copy), chunked profiles reassembled. */
  readonly received: AgentMessage__Output[];
  /** Every message as it arrived, hellos, chunks and re-sends included, across restarts. */
  readonly raw: AgentMessage__Output[];
  /** Every Hello, accepted or refused: one per stream the agent opened. */
  readonly hellos: Hello__Output[];
  readonly rejected: { readonly id: string; readonly reason: string }[];
  /** Ids of the stored messages. */
  ids(): Set<string>;
  /** Resolves once every id is stored; fails after `timeoutMs` naming a few missing ones. */
  waitForIds(ids: Iterable<string>, timeoutMs?: number): Promise<void>;
  /** Ends every stream at once (like a crash) and releases the port. */
  stop(): Promise<void>;
  /** stop(), then serve again on the same port, keeping what was recorded. */
  restartOnSamePort(): Promise<void>;
}

type IngestCall = ServerDuplexStream<AgentMessage__Output, ServerMessage>;

const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export async function startIngestTestServer(options: IngestTestServerOptions = {}): Promise<IngestTestServer> {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const stored = new Map<string, AgentMessage__Output>();
  const received: AgentMessage__Output[] = [];
  const raw: AgentMessage__Output[] = [];
  const hellos: Hello__Output[] = [];
  const rejected: { id: string; reason: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const answer = (call: IngestCall, reply: ServerMessage) => {
    const send = () => {
      if (!call.cancelled && !call.writableEnded) call.write(reply);
    };
    if (!options.ackDelayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, options.ackDelayMs);
    timers.add(timer);
  };

  const onComplete = (call: IngestCall, message: AgentMessage__Output, id: string) => {
    if (options.holdAcks) return;
    const reason = options.rejectIf?.(message);
    if (reason) {
      rejected.push({ id, reason });
      answer(call, { reject: { id, reason, message: `rejected by the test server's rejectIf` } });
      return;
    }
    // Idempotent by id, like the real store: a re-send is acked again and stored once.
    if (!stored.has(id)) {
      stored.set(id, message);
      received.push(message);
    }
    answer(call, { ack: { id } });
  };

  const handlers: IngestHandlers = {
    Stream: (call: IngestCall) => {
      let hello: Hello__Output | undefined;
      const chunks = new ChunkAssembler();
      call.on('data', (message: AgentMessage__Output) => {
        raw.push(message);
        if (!hello) {
          if (!message.hello) return fail(call, status.INVALID_ARGUMENT, 'the first message must be a hello');
          hello = message.hello;
          hellos.push(hello);
          if (options.token !== undefined && hello.token !== options.token) return fail(call, status.UNAUTHENTICATED, 'invalid token');
          call.write({ welcome: { aggregator_id: 'ingest-test-server', max_message_bytes: maxMessageBytes } });
          return;
        }
        const body = message.body;
        if (!body || body === 'hello') return fail(call, status.INVALID_ARGUMENT, `unexpected ${body ?? 'empty'} message`);
        if (options.storeDown) return fail(call, status.UNAVAILABLE, 'store unavailable');
        const id = message[body]?.id ?? '';
        if (!id) return answer(call, { reject: { id, reason: 'bad_field', message: `${body}.id is empty` } });
        if (message.profile && message.profile.chunk_count > 1) {
          const result = chunks.add(message.profile);
          if (result.error) return answer(call, { reject: { id, reason: 'bad_field', message: result.error } });
          if (result.profile) onComplete(call, { body: 'profile', profile: result.profile }, id);
          return;
        }
        onComplete(call, message, id);
      });
      call.on('end', () => call.end());
      // A client that went away: nothing to answer any more.
      call.on('error', () => undefined);
    },
  };

  const credentials = options.tls
    ? ServerCredentials.createSsl(options.tls.ca ?? null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], options.tls.requireClientCert ?? false)
    : ServerCredentials.createInsecure();

  const serve = async (port: number): Promise<{ server: Server; port: number }> => {
    const server = new Server({ 'grpc.max_receive_message_length': maxMessageBytes });
    server.addService(loadIngestProto().stackwatch.v1.Ingest.service, handlers);
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, credentials, (err, actual) => (err ? reject(err) : resolve(actual)));
    });
    return { server, port: bound };
  };

  let current = await serve(options.port ?? 0);
  const port = current.port;
  let running = true;

  // forceShutdown is synchronous: streams are cut and the listening socket is closed at once.
  const stop = (): Promise<void> => {
    if (running) {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      current.server.forceShutdown();
    }
    return Promise.resolve();
  };

  return {
    address: `127.0.0.1:${port}`,
    port,
    received,
    raw,
    hellos,
    rejected,
    ids: () => new Set(stored.keys()),
    waitForIds: async (ids, timeoutMs = 20_000) => {
      const wanted = [...ids];
      const missing = () => wanted.filter((id) => !stored.has(id));
      await waitFor(`ids stored by the ingest test server (missing e.g. ${missing().slice(0, 5).join(', ')})`, () => missing().length === 0, { timeoutMs });
    },
    stop,
    restartOnSamePort: async () => {
      await stop();
      // The kernel may take a moment to release the port; retry the bind briefly.
      current = await waitFor(`port ${port} to be free again`, () => serve(port), { timeoutMs: 5_000 });
      running = true;
    },
  };
}

function fail(call: IngestCall, code: status, details: string): void {
  // grpc-js turns an 'error' emitted on a server stream into the call's final status.
  call.emit('error', Object.assign(new Error(details), { code, details }));
}

/** Reassembles chunked profiles of one stream (chunks never span streams: the agent re-sends). */
class ChunkAssembler {
  private readonly partial = new Map<string, { parts: (Buffer | undefined)[]; first: Profile__Output; count: number }>();

  add(chunk: Profile__Output): { profile?: Profile__Output; error?: string } {
    const { id, chunk_index: index, chunk_count: count, total_bytes: total } = chunk;
    const pending = this.partial.get(id) ?? { parts: new Array<Buffer | undefined>(count).fill(undefined), first: chunk, count: 0 };
    if (index >= count) return this.drop(id, `chunk_index ${index} is not below chunk_count ${count}`);
    if (count !== pending.first.chunk_count || total !== pending.first.total_bytes) {
      return this.drop(id, 'chunk_count or total_bytes differ between chunks');
    }
    if (!pending.parts[index]) pending.count++;
    pending.parts[index] = chunk.pprof_gzip;
    this.partial.set(id, pending);
    if (pending.count < count) return {};

    this.partial.delete(id);
    const whole = Buffer.concat(pending.parts as Buffer[]);
    if (whole.length !== total) return { error: `total_bytes is ${total} but the chunks hold ${whole.length}` };
    // The assembled view looks like a profile sent whole.
    return { profile: { ...pending.first, pprof_gzip: whole, chunk_index: 0, chunk_count: 0, total_bytes: 0 } };
  }

  private drop(id: string, error: string): { error: string } {
    this.partial.delete(id);
    return { error };
  }
}
