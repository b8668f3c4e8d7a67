import { randomUUID } from 'node:crypto';
import type { AgentMessage, MetricPoint, Target, TargetState } from '@stackwatch/contract';
import {
  DeadlockInspector,
  findingFromGoroutineLeakProfile,
  findThreadBlocks,
  GoroutineLeakDetector,
  parseGoroutineDumpDebug2,
  parseGoroutineProfileDebug1,
  type AnalysisFinding,
} from '../analyse';
import { EventCapturer, DEFAULT_CAPTURER_OPTIONS } from '../capture/event-capturer';
import { FlightRecorder } from '../capture/flight-recorder';
import { PprofClient, type CapturedProfile } from '../capture/pprof-client';
import type { RuleSettings } from '../detect/rule-config';
import { TargetDetector, type RuleFiring } from '../detect/target-detector';
import type { AgentMetrics } from '../observe/agent-metrics';
import { TargetSampler } from '../sample';
import type { TargetSample, WatchedTarget } from '../target';
import { eventMessage, metricsMessage, profileMessage, statusMessage, wireTarget, type ProfileTrigger } from './messages';

export interface WatchSettings {
  readonly intervalMs: number;
  readonly ringSize: number;
  readonly rules: readonly RuleSettings[];
  readonly flightRecorder: boolean;
  readonly flightRecorderWindowMs: number;
  readonly baselineEveryMs: number;
  readonly inspectEveryMs: number;
  readonly inspectMaxGoroutines: number;
  readonly deadlockAfterMs: number;
  readonly metricsUrl?: URL;
  /** Metric points are shipped in batches this often. */
  readonly metricsFlushMs: number;
  /** Analysis events of one kind (deadlock, goroutine_leak) are not repeated within this time. */
  readonly analysisCooldownMs: number;
}

export interface WatchDeps {
  readonly send: (message: AgentMessage) => Promise<void>;
  readonly metrics: AgentMetrics;
  readonly log: (line: string) => void;
  /** Finds the pid serving the target again after a restart. */
  readonly resolvePid?: () => Promise<number | undefined>;
}

/** Longest pause between samples of a target that keeps failing. */
const MAX_FAILURE_BACKOFF_MS = 30_000;

/**
 * The agent pipeline for one target: sample every interval → detect → capture → analyse → ship,
 * plus the flight recorder, periodic baselines and deadlock/leak inspections. Nothing a target
 * does (vanishing, restarting, answering garbage) escapes as an exception: it becomes a target
 * status, a log line and a retry with backoff.
 */
export class TargetWatcher {
  private stopped = false;
  private readonly client: PprofClient;
  private readonly sampler: TargetSampler;
  private readonly detector: TargetDetector;
  private readonly recorder: FlightRecorder | undefined;
  private readonly capturer: EventCapturer;
  private readonly leaks = new GoroutineLeakDetector();
  private readonly deadlocks: DeadlockInspector;
  private readonly inFlight = new Set<Promise<void>>();
  /** When the periodic jobs are next due (ms since the epoch); driven by tick(). */
  private readonly due = { flush: Infinity, baseline: Infinity, inspect: Infinity };
  private readonly running = new Set<'baseline' | 'inspect'>();
  private points: MetricPoint[] = [];
  private state: TargetState = 'TARGET_STATE_UNSPECIFIED';
  private failures = 0;
  private nextSampleAtMs = 0;
  private lastSample: TargetSample | undefined;
  private readonly lastAnalysisEvent = new Map<string, number>();
  private leakProfileServed: boolean | undefined;

  constructor(
    readonly target: WatchedTarget,
    private readonly settings: WatchSettings,
    private readonly deps: WatchDeps,
  ) {
    this.client = new PprofClient(target.url);
    this.sampler = new TargetSampler(target, {
      intervalMs: settings.intervalMs,
      gcHeap: settings.rules.some((r) => r.name === 'gc_heap' && r.enabled),
      ...(settings.metricsUrl ? { metricsUrl: settings.metricsUrl } : {}),
      ...(deps.resolvePid ? { resolvePid: deps.resolvePid } : {}),
      log: (line) => deps.log(`target ${target.key}: ${line}`),
    });
    this.detector = new TargetDetector(settings.rules, settings.ringSize);
    this.recorder = settings.flightRecorder
      ? new FlightRecorder(this.client, {
          windowMs: settings.flightRecorderWindowMs,
          log: (line) => deps.log(`target ${target.key}: ${line}`),
          onWindow: (outcome) => deps.metrics.captures.inc({ type: 'cpu_window', outcome }),
        })
      : undefined;
    this.capturer = new EventCapturer(this.client, this.recorder, {
      ...DEFAULT_CAPTURER_OPTIONS,
      recorderWaitMs: settings.flightRecorderWindowMs * 2 + 5_000,
      onCapture: (type, outcome) => {
        deps.metrics.captures.inc({ type, outcome });
        if (outcome !== 'ok') deps.log(`target ${target.key}: ${type} capture failed (${outcome})`);
      },
    });
    this.deadlocks = new DeadlockInspector({ minStuckMs: settings.deadlockAfterMs });
  }

  start(nowMs = Date.now()): void {
    const { metricsFlushMs, baselineEveryMs, inspectEveryMs, flightRecorderWindowMs } = this.settings;
    this.recorder?.start();
    this.due.flush = nowMs + metricsFlushMs;
    // The first baseline comes once the recorder has a window to include.
    if (baselineEveryMs > 0) this.due.baseline = nowMs + Math.min(baselineEveryMs, flightRecorderWindowMs + 2_000);
    if (inspectEveryMs > 0) this.due.inspect = nowMs + inspectEveryMs;
  }

  /** Stops sampling, waits for captures in flight, and ships the last metric points. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.recorder?.stop();
    await Promise.all([...this.inFlight]);
    this.sampler.close();
    await this.flushMetrics();
  }

  /**
   * One tick of the Agent's shared ticker (one timer for all targets and jobs: separate timers
   * cost a wake-up each): a sample when due — a target that keeps failing backs off up to 30 s —
   * and the metric flush, baseline and inspection when their periods are up. Baselines and
   * inspections run in the background, one of each at a time.
   */
  async tick(nowMs: number): Promise<void> {
    if (this.stopped) return;
    if (nowMs >= this.nextSampleAtMs) {
      await this.sampleOnce();
      const backoff = this.failures === 0 ? 0 : Math.min(MAX_FAILURE_BACKOFF_MS, this.settings.intervalMs * 2 ** this.failures);
      this.nextSampleAtMs = nowMs + backoff;
    }
    if (nowMs >= this.due.flush) {
      this.due.flush = nowMs + this.settings.metricsFlushMs;
      await this.flushMetrics();
    }
    if (nowMs >= this.due.baseline) {
      this.due.baseline = nowMs + this.settings.baselineEveryMs;
      this.background('baseline', () => this.baseline());
    }
    if (nowMs >= this.due.inspect) {
      this.due.inspect = nowMs + this.settings.inspectEveryMs;
      this.background('inspect', () => this.inspect());
    }
  }

  private background(job: 'baseline' | 'inspect', work: () => Promise<void>): void {
    if (this.running.has(job)) return;
    this.running.add(job);
    this.track(this.guard(job === 'inspect' ? 'inspection' : job, work).finally(() => this.running.delete(job)));
  }

  private get wire(): Target {
    return wireTarget(this.target, this.sampler.currentPid);
  }

  private async sampleOnce(): Promise<void> {
    let sample: TargetSample;
    try {
      sample = await this.sampler.sample();
    } catch (err) {
      this.failures++;
      this.deps.metrics.recordFailure(this.target.key, this.target.identity);
      await this.setState('TARGET_STATE_DOWN', (err as Error).message);
      return;
    }
    this.failures = 0;
    this.lastSample = sample;
    if (sample.restarted) {
      this.detector.reset();
      await this.setState('TARGET_STATE_RESTARTED', `now pid ${sample.pid ?? 'unknown'}`, true);
    }
    if (!sample.procAccess) {
      await this.setState('TARGET_STATE_DEGRADED', this.sampler.noProcAccessReason ?? 'no /proc access: pprof readings only');
    } else {
      await this.setState('TARGET_STATE_UP', 'answering');
    }
    this.deps.metrics.recordSample(this.target.key, this.target.identity, sample);
    for (const [name, value] of Object.entries(sample.values)) {
      if (value !== undefined) this.points.push({ name, value, time_unix_ms: sample.timeMs });
    }
    for (const firing of this.detector.observe(sample)) this.track(this.guard(`${firing.rule.name} event`, () => this.onFiring(firing)));
  }

  /** Ships a status when the state changes (always for a restart). */
  private async setState(state: TargetState, detail: string, always = false): Promise<void> {
    if (this.state === state && !always) return;
    const previous = this.state;
    this.state = state;
    if (previous !== 'TARGET_STATE_UNSPECIFIED' || state !== 'TARGET_STATE_UP') {
      this.deps.log(`target ${this.target.key}: ${String(state).replace('TARGET_STATE_', '').toLowerCase()}: ${detail}`);
    }
    await this.deps.send(statusMessage(this.wire, state, detail));
  }

  private async onFiring(firing: RuleFiring): Promise<void> {
    this.deps.metrics.ruleTriggers.inc({ rule: firing.rule.name });
    this.deps.log(`target ${this.target.key}: rule ${firing.rule.name} fired: ${firing.reason}`);
    const eventId = randomUUID();
    const profiles = await this.capturer.capture(firing.rule.capture, firing.timeMs);
    const findings: AnalysisFinding[] = [];
    if (firing.rule.capture === 'goroutine') findings.push(...(await this.goroutineFindings()));
    if (firing.rule.capture === 'threads') {
      const blocked = findThreadBlocks(parseGoroutineDumpDebug2(await this.client.goroutineText(2)));
      if (blocked) findings.push(blocked);
    }
    await this.shipEvent({ rule: firing, eventId }, profiles, {
      id: eventId,
      kind: firing.rule.name,
      timeMs: firing.timeMs,
      value: firing.value,
      average: firing.average,
      threshold: firing.threshold,
      reason: firing.reason,
      findings,
    });
  }

  /** Leak findings for a goroutine event: Go's own leak profile when served, else growth across dumps. */
  private async goroutineFindings(): Promise<AnalysisFinding[]> {
    const findings: AnalysisFinding[] = [];
    const fromRuntime = await this.goroutineLeakProfile();
    if (fromRuntime) findings.push(fromRuntime);
    const growing = this.leaks.observe(parseGoroutineProfileDebug1(await this.client.goroutineText(1)));
    if (growing && !fromRuntime) findings.push(growing);
    return findings;
  }

  private async goroutineLeakProfile(): Promise<AnalysisFinding | undefined> {
    if (this.leakProfileServed === false) return undefined;
    const text = await this.client.goroutineLeakText();
    this.leakProfileServed = text !== undefined;
    return text === undefined ? undefined : findingFromGoroutineLeakProfile(text);
  }

  /**
   * A deadlock/leak inspection: one debug=2 dump (it stops the world, hence the goroutine bound),
   * fed to the deadlock inspector and the leak detector.
   */
  private async inspect(): Promise<void> {
    const goroutines = this.lastSample?.values.goroutines;
    if (goroutines === undefined || goroutines > this.settings.inspectMaxGoroutines) return;
    const capturedAt = Date.now();
    const dump = parseGoroutineDumpDebug2(await this.client.goroutineText(2));
    const deadlock = this.deadlocks.inspect(dump, capturedAt);
    if (deadlock) await this.analysisEvent('deadlock', deadlock, capturedAt);
    const leak = this.leaks.observe(dump);
    if (leak) await this.analysisEvent('goroutine_leak', leak, capturedAt);
  }

  private async analysisEvent(kind: 'deadlock' | 'goroutine_leak', finding: AnalysisFinding, timeMs: number): Promise<void> {
    const last = this.lastAnalysisEvent.get(kind) ?? -Infinity;
    if (timeMs - last < this.settings.analysisCooldownMs) return;
    this.lastAnalysisEvent.set(kind, timeMs);
    this.deps.metrics.findings.inc({ kind: finding.kind });
    this.deps.log(`target ${this.target.key}: ${kind}: ${finding.summary}`);
    const eventId = randomUUID();
    const profiles = await this.capturer.capture('goroutine', timeMs);
    const involved = finding.stacks.reduce((n, s) => n + s.count, 0);
    await this.shipEvent({ analysis: kind, eventId }, profiles, {
      id: eventId,
      kind,
      timeMs,
      value: involved,
      average: 0,
      threshold: 0,
      reason: finding.summary,
      findings: [finding],
    });
  }

  private async shipEvent(trigger: ProfileTrigger, profiles: CapturedProfile[], event: Omit<Parameters<typeof eventMessage>[1], 'profileIds'>): Promise<void> {
    const target = this.wire;
    const messages = profiles.map((p) => profileMessage(target, p, trigger));
    for (const m of messages) await this.deps.send(m);
    await this.deps.send(eventMessage(target, { ...event, profileIds: messages.map((m) => m.profile.id) }));
  }

  private async baseline(): Promise<void> {
    const target = this.wire;
    const profiles: CapturedProfile[] = [];
    for (const type of ['heap', 'goroutine'] as const) {
      try {
        profiles.push(await this.client.profile(type));
        this.deps.metrics.captures.inc({ type, outcome: 'ok' });
      } catch (err) {
        this.deps.metrics.captures.inc({ type, outcome: 'error' });
        this.deps.log(`target ${this.target.key}: baseline ${type} failed: ${(err as Error).message}`);
      }
    }
    const window = this.recorder?.recent().at(-1);
    if (window) profiles.push(window);
    for (const p of profiles) await this.deps.send(profileMessage(target, p, 'baseline'));
  }

  private async flushMetrics(): Promise<void> {
    if (this.points.length === 0) return;
    const points = this.points;
    this.points = [];
    await this.deps.send(metricsMessage(this.wire, points));
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Runs one unit of work; a failure is logged, never thrown into a loop. */
  private async guard(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.deps.log(`target ${this.target.key}: ${what} failed: ${(err as Error).message}`);
    }
  }
}
