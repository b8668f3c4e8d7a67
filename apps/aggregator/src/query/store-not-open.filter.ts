import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { StoreNotOpenError } from '../store/deferred-store';

/** A query while the store is still being opened (ClickHouse not up yet) is a 503, not a 500: retry later. */
@Catch(StoreNotOpenError)
export class StoreNotOpenFilter implements ExceptionFilter {
  catch(err: StoreNotOpenError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(503).set('Retry-After', '5').json({ statusCode: 503, message: err.message });
  }
}
