import { gzipSync } from 'node:zlib';
import type { ProfileType } from '@stackwatch/contract';
import { httpGet, TargetHttpError } from '../target-http';

/** The target is already running a CPU profile (ours or someone's `go tool pprof`). */
export class CpuProfilerBusyError extends Error {
  override name = 'CpuProfilerBusyError';
}

/** A capture that failed: HTTP error, timeout, oversized answer. */
export class CaptureError extends Error {
  override name = 'CaptureError';
  constructor(
    message: string,
    readonly outcome: 'error' | 'timeout' | 'too_large' | 'unavailable',
  ) {
    super(message);
  }
}

/** One profile as fetched from a target. */
export interface CapturedProfile {
  readonly type: ProfileType;
  /** gzipped pprof protobuf. */
  readonly pprofGzip: Buffer;
  readonly startMs: number;
  readonly durationMs: number;
}

/** Bound on one answer: debug=2 dumps are capped at 64 MB by Go itself. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const INSTANT_TIMEOUT_MS = 30_000;

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Fetches profiles and dumps from one target's /debug/pprof/ endpoints. Only paths under the
 * target's own base URL are ever requested.
 */
export class PprofClient {
  constructor(private readonly baseUrl: URL) {}

  /** An instant profile (heap, goroutine, threadcreate, ...) as gzipped protobuf. */
  async profile(type: Exclude<ProfileType, 'cpu'>): Promise<CapturedProfile> {
    const startMs = Date.now();
    // heap?gc=1: the heap profile shows the heap as of the last completed GC; a fresh spike
    // shows only after one, so the capture runs one first.
    const body = await this.get(type === 'heap' ? 'debug/pprof/heap?gc=1' : `debug/pprof/${type}`, INSTANT_TIMEOUT_MS);
    return { type, pprofGzip: isGzip(body) ? body : gzipSync(body), startMs, durationMs: 0 };
  }

  /** A CPU profile of `seconds`; throws CpuProfilerBusyError when another one is running. */
  async cpuProfile(seconds: number, signal?: AbortSignal): Promise<CapturedProfile> {
    const startMs = Date.now();
    const body = await this.get(`debug/pprof/profile?seconds=${seconds}`, seconds * 1000 + 15_000, signal);
    return { type: 'cpu', pprofGzip: isGzip(body) ? body : gzipSync(body), startMs, durationMs: Date.now() - startMs };
  }

  /** A goroutine dump in text form: debug=1 (grouped, cheap) or debug=2 (every goroutine, stops the world). */
  async goroutineText(debug: 1 | 2): Promise<string> {
    return (await this.get(`debug/pprof/goroutine?debug=${debug}`, INSTANT_TIMEOUT_MS)).toString('utf8');
  }

  /** Go 1.26+ with GOEXPERIMENT=goroutineleakprofile (on by default from 1.27); undefined when not served. */
  async goroutineLeakText(): Promise<string | undefined> {
    try {
      return (await this.get('debug/pprof/goroutineleak?debug=1', INSTANT_TIMEOUT_MS)).toString('utf8');
    } catch (err) {
      if (err instanceof CaptureError && /HTTP 404/.test(err.message)) return undefined;
      throw err;
    }
  }

  private async get(path: string, timeoutMs: number, signal?: AbortSignal): Promise<Buffer> {
    const url = new URL(path, this.baseUrl);
    let answer;
    try {
      answer = await httpGet(url, { timeoutMs, maxBytes: MAX_RESPONSE_BYTES, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (!(err instanceof TargetHttpError)) throw err;
      throw new CaptureError(err.message, err.failure === 'aborted' ? 'error' : err.failure);
    }
    if (answer.status !== 200) {
      const text = answer.body.toString('utf8', 0, Math.min(answer.body.length, 300)).trim();
      if (answer.status === 500 && /cpu profiling already in use/i.test(text)) {
        throw new CpuProfilerBusyError(`GET ${url.pathname}: ${text}`);
      }
      throw new CaptureError(`GET ${url.pathname}: HTTP ${answer.status}: ${text}`, 'error');
    }
    return answer.body;
  }
}
