import { status } from '@grpc/grpc-js';
import type { AgentMessage, Hello, Reject__Output, ServerMessage__Output, Welcome__Output } from '@stackwatch/contract';
import type { DataKind } from './agent-message';
import { splitForWire } from './chunking';
import { CLIENT_MAX_SEND_BYTES, type IngestStream } from './ingest-client';
import type { ShipperMetrics } from './ship-metrics';
import type { Spool } from './spool';

/** gRPC's default receive limit: what an aggregator that announces no limit takes. */
const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface SessionOptions {
  readonly hello: Hello;
  /** Messages written but not yet answered, at most. */
  readonly maxInFlight: number;
  readonly welcomeTimeoutMs: number;
  readonly spool: Spool;
  readonly metrics: ShipperMetrics;
  readonly log: (line: string) => void;
  /** Called once, when the aggregator accepted the hello. */
  readonly onWelcome: (welcome: Welcome__Output) => void;
  /** Called once, at the first ack or reject: the aggregator really stores what it is sent. */
  readonly onFirstAnswer: () => void;
}

export interface SessionEnd {
  readonly welcomed: boolean;
  /** Why the stream is over: a gRPC status and its details, or what the agent decided. */
  readonly reason: string;
}

interface InFlight {
  readonly kind: DataKind;
  readonly startedAt: number;
}

/**
 * One stream's life: hello, wait for welcome, then the spool's messages oldest first with at
 * most `maxInFlight` unanswered, each dropped from the spool on its ack or reject. It never
 * throws: however the stream ends, `done` resolves and the shipper decides what comes next.
 * What is in flight when it ends stays spooled, and the next session sends it again.
 */
export class IngestSession {
  readonly done: Promise<SessionEnd>;
  private resolveDone: (end: SessionEnd) => void = () => undefined;
  private readonly inFlight = new Map<string, InFlight>();
  /** Sequence of the last spool entry taken up; the next session starts again from the oldest. */
  private cursor = 0;
  private maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private welcomed = false;
  private answered = false;
  private ended = false;
  private pumping = false;
  private pumpAgain = false;
  private welcomeTimer: NodeJS.Timeout | undefined;
  /** Called on every ack, reject and at the end: what stop() waits on. */
  private readonly progressListeners = new Set<() => void>();
  /** Called at the end only: writes waiting for 'drain' must not wait forever. */
  private readonly endListeners = new Set<() => void>();

  constructor(
    private readonly stream: IngestStream,
    private readonly options: SessionOptions,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(): void {
    this.stream.on('data', (message: ServerMessage__Output) => this.onServerMessage(message));
    // Stays attached for the stream's whole life: an 'error' without a listener would crash the agent.
    this.stream.on('error', (err: Error) => this.finish(describeStreamError(err)));
    this.stream.on('end', () => this.finish('the aggregator closed the stream'));
    this.welcomeTimer = setTimeout(() => this.abort(`no welcome within ${this.options.welcomeTimeoutMs} ms`), this.options.welcomeTimeoutMs);
    this.welcomeTimer.unref();
    void this.write({ hello: this.options.hello });
  }

  /** New data in the spool. */
  wake(): void {
    if (!this.welcomed || this.ended) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  /**
   * Resolves true once this session has nothing left to deliver (all spooled data acked or
   * rejected, or only data it cannot send), false when `timeoutMs` passes first or it ended.
   */
  whenDrained(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.isDrained()) finish(true);
        else if (this.ended) finish(false);
      };
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        this.progressListeners.delete(check);
        resolve(drained);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref();
      this.progressListeners.add(check);
      check();
    });
  }

  /** Ends the stream from our side; what is unacked stays spooled. */
  abort(reason: string): void {
    this.finish(reason);
    this.stream.cancel();
  }

  private isDrained(): boolean {
    if (!this.welcomed || this.ended || this.pumping || this.inFlight.size > 0) return false;
    return this.options.spool.pending(this.cursor).next().done === true;
  }

  private onServerMessage(message: ServerMessage__Output): void {
    if (message.welcome) this.onWelcome(message.welcome);
    else if (message.ack) this.settle(message.ack.id, undefined);
    else if (message.reject) this.settle(message.reject.id, message.reject);
  }

  private onWelcome(welcome: Welcome__Output): void {
    if (this.welcomed || this.ended) return;
    clearTimeout(this.welcomeTimer);
    this.welcomed = true;
    this.maxMessageBytes = Math.min(welcome.max_message_bytes || DEFAULT_MAX_MESSAGE_BYTES, CLIENT_MAX_SEND_BYTES);
    this.options.onWelcome(welcome);
    this.wake();
  }

  /** An ack or a reject: either way the message leaves the spool for good. */
  private settle(id: string, rejection: Reject__Output | undefined): void {
    const { spool, metrics, log } = this.options;
    const flight = this.inFlight.get(id);
    const kind = flight?.kind ?? spool.get(id)?.kind;
    // An answer for an id we no longer hold (a second ack of a re-sent message): nothing to do.
    if (kind === undefined) return;
    if (!this.answered) {
      this.answered = true;
      this.options.onFirstAnswer();
    }
    this.inFlight.delete(id);
    if (flight) metrics.latency.observe({ kind }, (performance.now() - flight.startedAt) / 1000);
    if (rejection) {
      const reason = rejection.reason || 'unspecified';
      metrics.rejected.inc({ kind, reason });
      log(`aggregator rejected ${kind} ${id}: ${reason}${rejection.message ? `: ${rejection.message}` : ''}`);
    } else {
      metrics.acked.inc({ kind });
    }
    void spool.remove(id);
    this.notify(this.progressListeners);
    this.wake();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.fillWindow();
      } while (this.pumpAgain && !this.ended);
    } catch (err) {
      // Reading the spool failed (an I/O error): a new session after a backoff retries it.
      this.abort(`sending failed: ${(err as Error).message}`);
    } finally {
      this.pumping = false;
      this.notify(this.progressListeners);
    }
  }

  /** Sends spooled messages after the cursor until the window is full or the spool exhausted. */
  private async fillWindow(): Promise<void> {
    const { spool, metrics, log } = this.options;
    for (const entry of spool.pending(this.cursor)) {
      if (this.ended || this.inFlight.size >= this.options.maxInFlight) return;
      this.cursor = entry.seq;
      const message = await spool.read(entry);
      if (!message) continue;
      if (this.ended) return;
      const parts = splitForWire(message, entry.payloadBytes, this.maxMessageBytes);
      if (!parts) {
        log(`${entry.kind} ${entry.id} (${entry.payloadBytes} bytes) exceeds the aggregator's limit of ${this.maxMessageBytes} bytes: kept in the spool, not sent`);
        continue;
      }
      this.inFlight.set(entry.id, { kind: entry.kind, startedAt: performance.now() });
      metrics.sent.inc({ kind: entry.kind });
      for (const part of parts) await this.write(part);
    }
  }

  /** Writes one message, waiting while the stream's buffer is full (a chunked profile is large). */
  private write(message: AgentMessage): Promise<void> {
    if (this.ended) return Promise.resolve();
    if (this.stream.write(message)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.endListeners.delete(done);
        resolve();
      };
      this.stream.once('drain', done);
      this.endListeners.add(done);
    });
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.welcomeTimer);
    this.inFlight.clear();
    this.resolveDone({ welcomed: this.welcomed, reason });
    this.notify(this.endListeners);
    this.notify(this.progressListeners);
  }

  private notify(listeners: Set<() => void>): void {
    for (const listener of [...listeners]) listener();
  }
}

/** A gRPC status as its name and details ("UNAVAILABLE: No connection established"). */
function describeStreamError(err: Error): string {
  const { code, details } = err as Error & { code?: unknown; details?: unknown };
  if (typeof code === 'number') return `${status[code] ?? `status ${code}`}: ${typeof details === 'string' ? details : err.message}`;
  return err.message;
}
