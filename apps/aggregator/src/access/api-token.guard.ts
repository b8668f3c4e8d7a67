import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AggregatorConfig } from '../config/aggregator-config';
import { AGGREGATOR_CONFIG } from '../config/config.module';
import { isOpenPath, offeredTokens } from './http-credentials';
import { anyTokenMatches } from './token-compare';

/**
 * `--api-token`: every HTTP request but the probes and /metrics must present the token (REST API
 * and web UI alike). Without the option everything is open, as on a loopback-only default. gRPC
 * calls are not HTTP requests here: the ingest stream checks `--token` itself.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(@Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.apiToken;
    if (expected === undefined || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (isOpenPath(request.path)) return true;
    if (anyTokenMatches(expected, offeredTokens(request.headers.authorization))) return true;
    // Basic is announced too, so a browser opening a link asks for it (the password is the token).
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="stackwatch", Basic realm="stackwatch"');
    throw new UnauthorizedException(
      request.headers.authorization === undefined ? 'this aggregator requires its API token (Authorization: Bearer TOKEN)' : 'wrong API token',
    );
  }
}
