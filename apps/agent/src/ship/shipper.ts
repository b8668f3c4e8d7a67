import type { AgentMessage } from '@stackwatch/contract';
import type { Registry } from 'prom-client';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { openIngestStream, type TlsOptions } from './ingest-client';
import { IngestSession, type SessionEnd } from './ingest-session';
import { ShipperMetrics } from './ship-metrics';
import type { Spool } from './spool';

export interface ShipperOptions {
  /** Aggregator gRPC address, host:port. */
  readonly address: string;
  /** Bearer token sent in each Hello; never logged. */
  readonly token?: string;
  /** TLS to the aggregator; plaintext when absent. */
  readonly tls?: TlsOptions;
  readonly agentId: string;
  readonly version: string;
  readonly spool: Spool;
  readonly registry: Registry;
  readonly log: (line: string) => void;
  readonly backoff?: BackoffOptions;
  /** Messages written but not yet acked, at most (default 64). */
  readonly maxInFlight?: number;
  /** Bound on the wait for a Welcome after the Hello (default 10 s). */
  readonly welcomeTimeoutMs?: number;
  /** Uniform in [0, 1), for the backoff jitter; tests inject it. */
  readonly random?: () => number;
}

const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_WELCOME_TIMEOUT_MS = 10_000;

/**
 * Ships spooled messages to an aggregator: one stream at a time, re-opened with backoff whenever
 * it ends. `send` only makes a message durable and wakes the stream, so producers never wait on
 * the network, and whatever is not acked survives outages and restarts in the spool.
 */
export class Shipper {
  private readonly metrics: ShipperMetrics;
  private readonly backoff: Backoff;
  private readonly log: (line: string) => void;
  private session: IngestSession | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Cuts a backoff sleep short when stop() is called. */
  private interruptSleep: (() => void) | undefined;
  private lastFailure = '';

  constructor(private readonly options: ShipperOptions) {
    this.metrics = new ShipperMetrics(options.registry);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
    this.log = redacting(options.log, options.token);
    this.metrics.connected.set(0);
    if (options.token && !options.tls) this.log(`warning: the token is sent to ${options.address} without TLS`);
  }

  /** Starts connecting; returns at once. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the message is durable in the spool; delivery follows in the background. */
  async send(message: AgentMessage): Promise<void> {
    await this.options.spool.append(message);
    this.session?.wake();
  }

  /**
   * Flushes what the open stream can deliver within `deadlineMs`, then closes it. No new
   * connection is attempted meanwhile; whatever is not acked stays spooled for the next start.
   * Runs once: later calls wait for the first.
   */
  stop({ deadlineMs }: { deadlineMs: number }): Promise<void> {
    this.stopping ??= this.shutdown(deadlineMs);
    return this.stopping;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    this.interruptSleep?.();
    const session = this.session;
    if (session) {
      await session.whenDrained(deadlineMs);
      session.abort('agent stopping');
    }
    await this.loop;
    const left = this.options.spool.size();
    if (left > 0) this.log(`stopping with ${left} message(s) unacked; they stay spooled`);
  }

  /** Connect, serve the stream until it ends, back off, again; until stop(). Never rejects. */
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const end = await this.connectOnce();
        if (this.stopping) break;
        this.metrics.reconnects.inc();
        const delayMs = this.backoff.next();
        // One line per distinct failure: a long outage repeats the same reason every attempt.
        if (end.welcomed || end.reason !== this.lastFailure) {
          this.log(`aggregator ${this.options.address}: ${end.welcomed ? 'stream ended' : 'connection failed'}: ${end.reason}; retrying with backoff`);
        }
        this.lastFailure = end.reason;
        await this.sleep(delayMs);
      } catch (err) {
        // A bug of ours, not a network failure: logged, and the loop carries on after a pause.
        this.log(`shipper error: ${(err as Error).stack ?? String(err)}`);
        await this.sleep(this.backoff.next());
      }
    }
  }

  private async connectOnce(): Promise<SessionEnd> {
    const { address, tls, agentId, version, token, spool } = this.options;
    const connection = openIngestStream(address, tls);
    const session = new IngestSession(connection.stream, {
      hello: { agent_id: agentId, version, token: token ?? '' },
      maxInFlight: this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      welcomeTimeoutMs: this.options.welcomeTimeoutMs ?? DEFAULT_WELCOME_TIMEOUT_MS,
      spool,
      metrics: this.metrics,
      log: this.log,
      onWelcome: (welcome) => {
        this.lastFailure = '';
        this.metrics.connected.set(1);
        this.log(`connected to aggregator ${welcome.aggregator_id || address} (${spool.size()} message(s) spooled)`);
        // A Welcome alone proves little when there is data: an aggregator whose store is down
        // welcomes, then ends the stream at the first message. Resetting here would have the
        // whole fleet reconnecting every ~100 ms; the first answer resets instead.
        if (spool.size() === 0) this.backoff.reset();
      },
      onFirstAnswer: () => this.backoff.reset(),
    });
    this.session = session;
    try {
      session.start();
      return await session.done;
    } finally {
      this.session = undefined;
      this.metrics.connected.set(0);
      connection.close();
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // Like every timer of the agent: it must not be what keeps the process alive.
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interruptSleep = done;
    });
  }
}

/** Every line goes through this, so no error text the server echoes can leak the token. */
function redacting(log: (line: string) => void, token: string | undefined): (line: string) => void {
  if (!token) return log;
  return (line) => log(line.split(token).join('[token]'));
}
