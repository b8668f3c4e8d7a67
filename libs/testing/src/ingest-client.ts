import { credentials as grpcCredentials, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { loadIngestProto, type AgentMessage, type ServerMessage__Output, type Welcome__Output } from '@stackwatch/contract';

/**
 * A bare `Ingest.Stream` client for tests and benchmarks that play an agent: it sends what it is
 * given (hello first) and records every answer. Unlike the agent it keeps no spool and never
 * re-sends; `sendAll` keeps at most `window` messages unanswered, like the agent does.
 */
export interface IngestStream {
  /** Every answer received, in order. */
  readonly answers: readonly ServerMessage__Output[];
  /** Resolves with the stream's final status (code 0 when it ended cleanly). */
  readonly ended: Promise<{ readonly code: number; readonly details: string }>;
  /** Sends a hello and resolves with the welcome; rejects if the stream ends first. */
  hello(token?: string, agentId?: string): Promise<Welcome__Output>;
  /** Writes one message without waiting for its answer. */
  write(message: AgentMessage): void;
  /** Writes one message and resolves with its ack or reject (rejects after `timeoutMs` or if the stream ends first). */
  send(message: AgentMessage, timeoutMs?: number): Promise<ServerMessage__Output>;
  /**
   * Writes every message, keeping at most `window` without an answer, and resolves once each has
   * an ack or a reject (rejects after `timeoutMs`, naming how many are missing).
   */
  sendAll(messages: readonly AgentMessage[], options?: { window?: number; timeoutMs?: number }): Promise<{ acked: number; rejected: number }>;
  close(): void;
}

export interface IngestStreamOptions {
  readonly credentials?: ChannelCredentials;
  /** grpc-js's send limit (default 64 MiB: the server's limit is what a test is about). */
  readonly maxSendBytes?: number;
}

const idOf = (message: AgentMessage): string | undefined =>
  message.profile?.id ?? message.event?.id ?? message.metrics?.id ?? message.target_status?.id ?? undefined;

export function openIngestStream(address: string, options: IngestStreamOptions = {}): IngestStream {
  const Ingest = loadIngestProto().stackwatch.v1.Ingest;
  const client = new Ingest(address, options.credentials ?? grpcCredentials.createInsecure(), {
    'grpc.max_send_message_length': options.maxSendBytes ?? 64 * 1024 * 1024,
  });
  const call: ClientDuplexStream<AgentMessage, ServerMessage__Output> = client.Stream();
  const answers: ServerMessage__Output[] = [];
  const listeners = new Set<(answer: ServerMessage__Output) => void>();
  call.on('data', (answer: ServerMessage__Output) => {
    answers.push(answer);
    for (const listener of listeners) listener(answer);
  });
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('error', (err: ServiceError) => resolve({ code: err.code, details: err.details }));
    call.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details }));
  });

  const until = <T>(what: string, timeoutMs: number, check: (answer: ServerMessage__Output) => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const listener = (answer: ServerMessage__Output) => {
        const value = check(answer);
        if (value !== undefined) finish(undefined, value);
      };
      const finish = (err?: Error, value?: T) => {
        clearTimeout(timer);
        listeners.delete(listener);
        if (err) reject(err);
        else resolve(value as T);
      };
      listeners.add(listener);
      void ended.then((status) => finish(new Error(`stream ended (${status.code} ${status.details}) before ${what}`)));
    });

  return {
    answers,
    ended,
    hello(token, agentId = 'ingest-client') {
      const welcome = until('welcome', 15_000, (a) => a.welcome ?? undefined);
      call.write({ hello: { agent_id: agentId, version: '0.0.0', ...(token === undefined ? {} : { token }) } });
      return welcome;
    },
    write(message) {
      call.write(message);
    },
    send(message, timeoutMs = 60_000) {
      const id = idOf(message);
      if (id === undefined) return Promise.reject(new Error('message has no id'));
      const answer = until(`answer for ${id}`, timeoutMs, (a) => (a.ack?.id === id || a.reject?.id === id ? a : undefined));
      call.write(message);
      return answer;
    },
    async sendAll(messages, { window = 64, timeoutMs = 120_000 } = {}) {
      let acked = 0;
      let rejected = 0;
      let next = 0;
      let open = 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${messages.length - acked - rejected} of ${messages.length} messages unanswered after ${timeoutMs} ms`)), timeoutMs);
        const pending = new Set<string>();
        const fill = () => {
          while (open < window && next < messages.length) {
            const message = messages[next++];
            const id = idOf(message);
            if (id === undefined) return done(new Error(`message ${next - 1} has no id`));
            pending.add(id);
            open++;
            call.write(message);
          }
          if (acked + rejected === messages.length) done();
        };
        const listener = (answer: ServerMessage__Output) => {
          const id = answer.ack?.id ?? answer.reject?.id;
          if (id === undefined || !pending.delete(id)) return;
          open--;
          if (answer.ack) acked++;
          else rejected++;
          fill();
        };
        const done = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(listener);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(listener);
        void ended.then((status) => {
          if (acked + rejected < messages.length) done(new Error(`stream ended (${status.code} ${status.details}) with ${messages.length - acked - rejected} messages unanswered`));
        });
        fill();
      });
      return { acked, rejected };
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}
