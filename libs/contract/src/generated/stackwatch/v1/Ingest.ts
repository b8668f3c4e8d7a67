// Original file: proto/stackwatch/v1/ingest.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _stackwatch_v1_AgentMessage, AgentMessage__Output as _stackwatch_v1_AgentMessage__Output } from '../../stackwatch/v1/AgentMessage';
import type { ServerMessage as _stackwatch_v1_ServerMessage, ServerMessage__Output as _stackwatch_v1_ServerMessage__Output } from '../../stackwatch/v1/ServerMessage';

export interface IngestClient extends grpc.Client {
  /**
   * Agent → aggregator uploads; aggregator → agent acknowledgements.
   */
  Stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_stackwatch_v1_AgentMessage, _stackwatch_v1_ServerMessage__Output>;
  Stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_stackwatch_v1_AgentMessage, _stackwatch_v1_ServerMessage__Output>;
  /**
   * Agent → aggregator uploads; aggregator → agent acknowledgements.
   */
  stream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_stackwatch_v1_AgentMessage, _stackwatch_v1_ServerMessage__Output>;
  stream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_stackwatch_v1_AgentMessage, _stackwatch_v1_ServerMessage__Output>;
  
}

export interface IngestHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Agent → aggregator uploads; aggregator → agent acknowledgements.
   */
  Stream: grpc.handleBidiStreamingCall<_stackwatch_v1_AgentMessage__Output, _stackwatch_v1_ServerMessage>;
  
}

export interface IngestDefinition extends grpc.ServiceDefinition {
  Stream: MethodDefinition<_stackwatch_v1_AgentMessage, _stackwatch_v1_ServerMessage, _stackwatch_v1_AgentMessage__Output, _stackwatch_v1_ServerMessage__Output>
}
