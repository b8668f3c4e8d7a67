import { loadIngestProto, type AgentMessage, type AgentMessage__Output } from '@stackwatch/contract';

/** The members of AgentMessage.body that carry data (everything but the per-stream hello). */
export const DATA_KINDS = ['target_status', 'metrics', 'profile', 'event'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/**
 * The codec grpc-js itself uses for `Ingest/Stream` requests. The spool stores exactly these
 * bytes, so what is on disk and what goes on the wire can never disagree.
 */
function streamMethod() {
  return loadIngestProto().stackwatch.v1.Ingest.service.Stream;
}

export function encodeAgentMessage(message: AgentMessage): Buffer {
  return streamMethod().requestSerialize(message);
}

/** Throws on bytes that are not an AgentMessage (protobufjs reports the offset). */
export function decodeAgentMessage(bytes: Buffer): AgentMessage__Output {
  return streamMethod().requestDeserialize(bytes);
}

/**
 * Which data member is set, and its id. `body` is only filled in by the decoder, so the members
 * themselves are inspected: callers build messages as plain objects.
 * Throws for a hello or a message without an id: both are programming errors of the caller.
 */
export function describeMessage(message: AgentMessage): { kind: DataKind; id: string } {
  const kinds = DATA_KINDS.filter((k) => message[k] != null);
  if (message.hello != null) throw new TypeError('hello is sent by the shipper on each stream, never spooled');
  if (kinds.length !== 1) {
    throw new TypeError(`an AgentMessage to ship must carry exactly one of ${DATA_KINDS.join(', ')} (got ${kinds.length})`);
  }
  const kind = kinds[0];
  const id = message[kind]?.id;
  if (typeof id !== 'string' || id === '') throw new TypeError(`the ${kind} message has no id`);
  return { kind, id };
}
