import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _stackwatch_v1_Ack, Ack__Output as _stackwatch_v1_Ack__Output } from './stackwatch/v1/Ack';
import type { AgentMessage as _stackwatch_v1_AgentMessage, AgentMessage__Output as _stackwatch_v1_AgentMessage__Output } from './stackwatch/v1/AgentMessage';
import type { Baseline as _stackwatch_v1_Baseline, Baseline__Output as _stackwatch_v1_Baseline__Output } from './stackwatch/v1/Baseline';
import type { Event as _stackwatch_v1_Event, Event__Output as _stackwatch_v1_Event__Output } from './stackwatch/v1/Event';
import type { Finding as _stackwatch_v1_Finding, Finding__Output as _stackwatch_v1_Finding__Output } from './stackwatch/v1/Finding';
import type { Hello as _stackwatch_v1_Hello, Hello__Output as _stackwatch_v1_Hello__Output } from './stackwatch/v1/Hello';
import type { IngestClient as _stackwatch_v1_IngestClient, IngestDefinition as _stackwatch_v1_IngestDefinition } from './stackwatch/v1/Ingest';
import type { MetricBatch as _stackwatch_v1_MetricBatch, MetricBatch__Output as _stackwatch_v1_MetricBatch__Output } from './stackwatch/v1/MetricBatch';
import type { MetricPoint as _stackwatch_v1_MetricPoint, MetricPoint__Output as _stackwatch_v1_MetricPoint__Output } from './stackwatch/v1/MetricPoint';
import type { Profile as _stackwatch_v1_Profile, Profile__Output as _stackwatch_v1_Profile__Output } from './stackwatch/v1/Profile';
import type { Reject as _stackwatch_v1_Reject, Reject__Output as _stackwatch_v1_Reject__Output } from './stackwatch/v1/Reject';
import type { RuleTrigger as _stackwatch_v1_RuleTrigger, RuleTrigger__Output as _stackwatch_v1_RuleTrigger__Output } from './stackwatch/v1/RuleTrigger';
import type { ServerMessage as _stackwatch_v1_ServerMessage, ServerMessage__Output as _stackwatch_v1_ServerMessage__Output } from './stackwatch/v1/ServerMessage';
import type { StackCount as _stackwatch_v1_StackCount, StackCount__Output as _stackwatch_v1_StackCount__Output } from './stackwatch/v1/StackCount';
import type { Target as _stackwatch_v1_Target, Target__Output as _stackwatch_v1_Target__Output } from './stackwatch/v1/Target';
import type { TargetStatus as _stackwatch_v1_TargetStatus, TargetStatus__Output as _stackwatch_v1_TargetStatus__Output } from './stackwatch/v1/TargetStatus';
import type { Trigger as _stackwatch_v1_Trigger, Trigger__Output as _stackwatch_v1_Trigger__Output } from './stackwatch/v1/Trigger';
import type { Welcome as _stackwatch_v1_Welcome, Welcome__Output as _stackwatch_v1_Welcome__Output } from './stackwatch/v1/Welcome';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  stackwatch: {
    v1: {
      Ack: MessageTypeDefinition<_stackwatch_v1_Ack, _stackwatch_v1_Ack__Output>
      AgentMessage: MessageTypeDefinition<_stackwatch_v1_AgentMessage, _stackwatch_v1_AgentMessage__Output>
      Baseline: MessageTypeDefinition<_stackwatch_v1_Baseline, _stackwatch_v1_Baseline__Output>
      Event: MessageTypeDefinition<_stackwatch_v1_Event, _stackwatch_v1_Event__Output>
      Finding: MessageTypeDefinition<_stackwatch_v1_Finding, _stackwatch_v1_Finding__Output>
      Hello: MessageTypeDefinition<_stackwatch_v1_Hello, _stackwatch_v1_Hello__Output>
      Ingest: SubtypeConstructor<typeof grpc.Client, _stackwatch_v1_IngestClient> & { service: _stackwatch_v1_IngestDefinition }
      MetricBatch: MessageTypeDefinition<_stackwatch_v1_MetricBatch, _stackwatch_v1_MetricBatch__Output>
      MetricPoint: MessageTypeDefinition<_stackwatch_v1_MetricPoint, _stackwatch_v1_MetricPoint__Output>
      Profile: MessageTypeDefinition<_stackwatch_v1_Profile, _stackwatch_v1_Profile__Output>
      Reject: MessageTypeDefinition<_stackwatch_v1_Reject, _stackwatch_v1_Reject__Output>
      RuleTrigger: MessageTypeDefinition<_stackwatch_v1_RuleTrigger, _stackwatch_v1_RuleTrigger__Output>
      ServerMessage: MessageTypeDefinition<_stackwatch_v1_ServerMessage, _stackwatch_v1_ServerMessage__Output>
      StackCount: MessageTypeDefinition<_stackwatch_v1_StackCount, _stackwatch_v1_StackCount__Output>
      Target: MessageTypeDefinition<_stackwatch_v1_Target, _stackwatch_v1_Target__Output>
      TargetState: EnumTypeDefinition
      TargetStatus: MessageTypeDefinition<_stackwatch_v1_TargetStatus, _stackwatch_v1_TargetStatus__Output>
      Trigger: MessageTypeDefinition<_stackwatch_v1_Trigger, _stackwatch_v1_Trigger__Output>
      Welcome: MessageTypeDefinition<_stackwatch_v1_Welcome, _stackwatch_v1_Welcome__Output>
    }
  }
}

