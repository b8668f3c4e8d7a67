import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ServerGrpc } from '@nestjs/microservices';
import { ingestProtoPath, PROTO_LOADER_OPTIONS } from '@stackwatch/contract';
import type { HealthImplementation } from 'grpc-health-check';
import { INGEST_LIMITS } from './ingest-limits';

export interface IngestServerOptions {
  /** host:port to bind; port 0 lets the OS pick (read it from `port` after listening). */
  readonly url: string;
  readonly credentials: ServerCredentials;
  /** Served beside Ingest on the same port. */
  readonly health: HealthImplementation;
  /** How long close() lets streams end by themselves before cutting them. */
  readonly shutdownGraceMs?: number;
}

/**
 * NestJS's gRPC transport for `stackwatch.v1.Ingest`, with what it lacks: the bound port (Nest
 * drops it, and tests bind port 0), the grpc.health.v1 service on the same server, an explicit
 * receive limit (the one Welcome announces), and a close that is graceful but bounded.
 * Handlers still come from the controllers' @GrpcStreamCall methods, as with Transport.GRPC.
 */
export class IngestGrpcServer extends ServerGrpc {
  private boundPort: number | undefined;

  constructor(private readonly settings: IngestServerOptions) {
    super({
      package: 'stackwatch.v1',
      protoPath: ingestProtoPath(),
      loader: PROTO_LOADER_OPTIONS,
      url: settings.url,
      credentials: settings.credentials,
      maxReceiveMessageLength: INGEST_LIMITS.maxMessageBytes,
    });
  }

  /** The port the server listens on; defined once listen() resolved. */
  get port(): number | undefined {
    return this.boundPort;
  }

  override async createClient(): Promise<Server> {
    const server = new Server({
      'grpc.max_receive_message_length': INGEST_LIMITS.maxMessageBytes,
      // Answers are acks and rejects: small.
      'grpc.max_send_message_length': 1024 * 1024,
    });
    this.settings.health.addToServer(server);
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(this.url, this.settings.credentials, (err, port) => (err ? reject(err) : resolve(port)));
    });
    return server;
  }

  override async close(): Promise<void> {
    const server = this.grpcClient as Server | null;
    if (!server) return;
    this.grpcClient = null;
    await new Promise<void>((resolve) => {
      // Streams were ended by IngestService before this runs; the timer is for clients that linger.
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.settings.shutdownGraceMs ?? 5_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
