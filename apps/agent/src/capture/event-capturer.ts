import type { CaptureKind } from '../detect/rule-config';
import type { FlightRecorder } from './flight-recorder';
import { CaptureError, CpuProfilerBusyError, type CapturedProfile, type PprofClient } from './pprof-client';

export interface EventCapturerOptions {
  /** Length of a CPU profile taken on demand (no flight recorder). */
  readonly cpuSeconds: number;
  /** Longest wait for the flight-recorder window covering the event. */
  readonly recorderWaitMs: number;
  /** Gap between the two heap profiles of a gc_heap event (a base and a diff view). */
  readonly heapPairGapMs: number;
  /** Attempts when the target's CPU profiler is busy, `busyRetryMs` apart. */
  readonly busyAttempts: number;
  readonly busyRetryMs: number;
  /** Counts every attempted capture by profile type and outcome. */
  readonly onCapture: (type: string, outcome: string) => void;
}

export const DEFAULT_CAPTURER_OPTIONS: Omit<EventCapturerOptions, 'onCapture'> = {
  cpuSeconds: 5,
  recorderWaitMs: 20_000,
  heapPairGapMs: 5_000,
  busyAttempts: 3,
  busyRetryMs: 2_000,
};

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the profiles a fired rule asks for. A failed profile is counted and left out. */
export class EventCapturer {
  constructor(
    private readonly client: PprofClient,
    private readonly recorder: FlightRecorder | undefined,
    private readonly options: EventCapturerOptions,
  ) {}

  async capture(kind: CaptureKind, eventTimeMs: number): Promise<CapturedProfile[]> {
    switch (kind) {
      case 'cpu':
        return this.cpu(eventTimeMs);
      case 'heap':
        return this.instant(['heap']);
      case 'heap_pair': {
        const first = await this.instant(['heap']);
        await delay(this.options.heapPairGapMs);
        return [...first, ...(await this.instant(['heap']))];
      }
      case 'goroutine':
        return this.instant(['goroutine']);
      case 'threads':
        return this.instant(['threadcreate', 'goroutine']);
    }
  }

  /** The recorder's windows around the event, or a fresh profile when there is no recorder. */
  private async cpu(eventTimeMs: number): Promise<CapturedProfile[]> {
    if (this.recorder) {
      const windows = await this.recorder.windowsCovering(eventTimeMs, this.options.recorderWaitMs);
      this.options.onCapture('cpu', windows.length > 0 ? 'ok' : 'no_window');
      return [...windows];
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const profile = await this.client.cpuProfile(this.options.cpuSeconds);
        this.options.onCapture('cpu', 'ok');
        return [profile];
      } catch (err) {
        if (err instanceof CpuProfilerBusyError && attempt < this.options.busyAttempts) {
          await delay(this.options.busyRetryMs);
          continue;
        }
        this.options.onCapture('cpu', outcomeOf(err));
        return [];
      }
    }
  }

  private async instant(types: Array<'heap' | 'goroutine' | 'threadcreate'>): Promise<CapturedProfile[]> {
    const profiles: CapturedProfile[] = [];
    for (const type of types) {
      try {
        profiles.push(await this.client.profile(type));
        this.options.onCapture(type, 'ok');
      } catch (err) {
        this.options.onCapture(type, outcomeOf(err));
      }
    }
    return profiles;
  }
}

function outcomeOf(err: unknown): string {
  if (err instanceof CpuProfilerBusyError) return 'busy';
  if (err instanceof CaptureError) return err.outcome;
  return 'error';
}
