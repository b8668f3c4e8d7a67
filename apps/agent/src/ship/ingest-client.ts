import { credentials, type ChannelCredentials, type ChannelOptions, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadIngestProto, type AgentMessage, type IngestClient, type ServerMessage__Output } from '@stackwatch/contract';

export interface TlsOptions {
  /** CA that signed the aggregator's certificate; the system roots when absent. */
  readonly ca?: Buffer;
  /** Client certificate and key, for mutual TLS. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export type IngestStream = ClientDuplexStream<AgentMessage, ServerMessage__Output>;

/** The largest message the agent will ever write; Welcome.max_message_bytes lowers it further. */
export const CLIENT_MAX_SEND_BYTES = 64 * 1024 * 1024;
/** What the aggregator writes back is a Welcome, Acks and Rejects: small. */
const CLIENT_MAX_RECEIVE_BYTES = 1024 * 1024;

/**
 * Channel options. A keepalive ping notices an aggregator host that vanished without closing
 * the connection (the stream would otherwise wait for acks forever). Pings stay once a minute:
 * servers enforce a minimum interval and answer faster pingers with GOAWAY too_many_pings.
 * A private subchannel pool: each connection attempt starts fresh instead of inheriting the
 * backoff state grpc-js keeps for an address, so the shipper's own backoff is the only one.
 */
const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_send_message_length': CLIENT_MAX_SEND_BYTES,
  'grpc.max_receive_message_length': CLIENT_MAX_RECEIVE_BYTES,
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.use_local_subchannel_pool': 1,
};

/** One channel to the aggregator and its one bidi stream; closed together when the stream ends. */
export interface IngestConnection {
  readonly stream: IngestStream;
  close(): void;
}

/**
 * Opens a new channel and stream to `address` (host:port). A channel per connection attempt
 * costs one handshake per reconnect, which is rare, and keeps each attempt independent.
 */
export function openIngestStream(address: string, tls: TlsOptions | undefined): IngestConnection {
  const Ingest = loadIngestProto().stackwatch.v1.Ingest;
  const client: IngestClient = new Ingest(address, channelCredentials(tls), CHANNEL_OPTIONS);
  const stream = client.Stream();
  return {
    stream,
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}

function channelCredentials(tls: TlsOptions | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}
