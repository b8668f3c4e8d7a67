import type { AgentMessage__Output, Event__Output, MetricBatch__Output, Profile__Output, TargetStatus__Output } from '@stackwatch/contract';

/** One data member of an AgentMessage (everything but the per-stream hello), tagged by its kind. */
export type DataMessage =
  | { readonly kind: 'target_status'; readonly body: TargetStatus__Output }
  | { readonly kind: 'metrics'; readonly body: MetricBatch__Output }
  | { readonly kind: 'profile'; readonly body: Profile__Output }
  | { readonly kind: 'event'; readonly body: Event__Output };

export type DataKind = DataMessage['kind'];
export const DATA_KINDS: readonly DataKind[] = ['target_status', 'metrics', 'profile', 'event'];

/**
 * What a decoded AgentMessage carries: 'hello', one data message, or undefined when its oneof is
 * empty (a peer speaking a newer contract, or garbage). The loader's virtual `body` field names
 * the member that is set.
 */
export function classifyMessage(message: AgentMessage__Output): 'hello' | DataMessage | undefined {
  switch (message.body) {
    case 'hello':
      return message.hello ? 'hello' : undefined;
    case 'target_status':
      return message.target_status ? { kind: 'target_status', body: message.target_status } : undefined;
    case 'metrics':
      return message.metrics ? { kind: 'metrics', body: message.metrics } : undefined;
    case 'profile':
      return message.profile ? { kind: 'profile', body: message.profile } : undefined;
    case 'event':
      return message.event ? { kind: 'event', body: message.event } : undefined;
    default:
      return undefined;
  }
}
