import { Controller } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { IngestService } from './ingest.service';
import type { IngestCall } from './ingest-stream';

/**
 * The `stackwatch.v1.Ingest` gRPC service. @GrpcStreamCall hands over the raw grpc-js duplex
 * stream (not an RxJS wrapper) so reading can pause: that is the backpressure path.
 */
@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @GrpcStreamCall('Ingest', 'Stream')
  stream(call: IngestCall): void {
    this.ingest.open(call);
  }
}
