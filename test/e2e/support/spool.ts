import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIngestProto, type AgentMessage__Output } from '@stackwatch/contract';
import { unframe } from '../../../apps/agent/src/ship/spool-file';

export interface SpooledMessage {
  readonly kind: 'target_status' | 'metrics' | 'profile' | 'event';
  readonly id: string;
}

/**
 * What an agent holds unacknowledged in its spool directory right now: one file per message,
 * framed AgentMessages (apps/agent/src/ship/spool-file.ts). Files that vanish or are half-written
 * while we read (acks delete them) are skipped.
 */
export function spooledMessages(dir: string): SpooledMessage[] {
  const { requestDeserialize } = loadIngestProto().stackwatch.v1.Ingest.service.Stream;
  const messages: SpooledMessage[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.msg'));
  } catch {
    return [];
  }
  for (const name of names) {
    let message: AgentMessage__Output;
    try {
      message = requestDeserialize(unframe(readFileSync(join(dir, name))));
    } catch {
      continue;
    }
    for (const kind of ['target_status', 'metrics', 'profile', 'event'] as const) {
      const body = message[kind];
      if (body) messages.push({ kind, id: body.id });
    }
  }
  return messages;
}
