import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event__Output, MetricBatch__Output, Profile__Output, Target__Output, TargetStatus__Output } from '@stackwatch/contract';
import type { DataMessage } from './data-message';
import { toIngestBatch } from './ingest-batch';
import { validateMessage, type TimeWindow } from './message-validation';
import { RejectError } from './reject';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const WINDOW: TimeWindow = { nowMs: NOW, retentionMs: 7 * 86_400_000 };
const HEAP = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'profiles', 'go1.26-heap.pb.gz'));

const target = (): Target__Output => ({ service: 'checkout', instance: 'pod-1', labels: { zone: 'a' }, pid: 42, go_version: 'go1.26.8', url: 'http://127.0.0.1:6060/' });
const status = (over: Partial<TargetStatus__Output> = {}): DataMessage => ({
  kind: 'target_status',
  body: { id: 's-1', target: target(), state: 'TARGET_STATE_UP', time_unix_ms: NOW - 1000, detail: 'answering', ...over },
});
const metrics = (over: Partial<MetricBatch__Output> = {}): DataMessage => ({
  kind: 'metrics',
  body: { id: 'm-1', target: target(), points: [{ name: 'goroutines', value: 12, time_unix_ms: NOW - 1000 }], ...over },
});
const profile = (over: Partial<Profile__Output> = {}): DataMessage => ({
  kind: 'profile',
  body: {
    id: 'p-1',
    target: target(),
    type: 'heap',
    pprof_gzip: HEAP,
    start_unix_ms: NOW - 5000,
    duration_ms: 0,
    trigger: { kind: 'baseline', baseline: {} },
    chunk_index: 0,
    chunk_count: 0,
    total_bytes: 0,
    ...over,
  },
});
const event = (over: Partial<Event__Output> = {}): DataMessage => ({
  kind: 'event',
  body: {
    id: 'e-1',
    kind: 'goroutine_leak',
    target: target(),
    time_unix_ms: NOW - 1000,
    value: 5000,
    average: 100,
    threshold: 3000,
    reason: 'goroutines grew',
    profile_ids: ['p-1'],
    findings: [{ kind: 'goroutine_leak', summary: '50 goroutines blocked', stacks: [{ frames: ['main.main', 'main.leak'], count: 50, state: 'chan receive', created_by: 'main.main' }] }],
    ...over,
  },
});

/** The RejectError validation (and conversion) throws, or undefined when the message is accepted. */
function rejection(message: DataMessage): RejectError | undefined {
  try {
    toIngestBatch(validateMessage(message, WINDOW));
    return undefined;
  } catch (err) {
    if (err instanceof RejectError) return err;
    throw err;
  }
}

describe('validateMessage', () => {
  it('accepts a well-formed message of every kind', () => {
    for (const message of [status(), metrics(), profile(), event()]) expect(rejection(message)).toBeUndefined();
  });

  it.each<[string, DataMessage, string, RegExp]>([
    ['an empty id', metrics({ id: '' }), 'bad_field', /^metrics\.id is empty$/],
    ['an id over 128 characters', status({ id: 'x'.repeat(129) }), 'bad_field', /^target_status\.id has 129 characters, more than 128$/],
    ['no target', event({ target: null }), 'bad_field', /^event\.target is missing$/],
    ['an empty service', metrics({ target: { ...target(), service: '' } }), 'bad_field', /^metrics\.target\.service is empty$/],
    ['an empty instance', metrics({ target: { ...target(), instance: '' } }), 'bad_field', /^metrics\.target\.instance is empty$/],
    ['a service over 256 characters', metrics({ target: { ...target(), service: 's'.repeat(257) } }), 'bad_field', /^metrics\.target\.service has 257 characters/],
    ['a label name with a dash', profile({ target: { ...target(), labels: { 'bad-name': 'x' } } }), 'bad_field', /^profile\.target\.labels name "bad-name" is not a label name/],
    ['a label name starting with a digit', metrics({ target: { ...target(), labels: { '1zone': 'x' } } }), 'bad_field', /labels name "1zone"/],
    ['a label name over 64 characters', metrics({ target: { ...target(), labels: { ['a'.repeat(65)]: 'x' } } }), 'bad_field', /is not a label name/],
    ['a label value over 1024 characters', metrics({ target: { ...target(), labels: { zone: 'v'.repeat(1025) } } }), 'bad_field', /^metrics\.target\.labels\[zone\] has 1025 characters/],
    [
      'more than 64 labels',
      metrics({ target: { ...target(), labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'x'])) } }),
      'bad_field',
      /^metrics\.target\.labels has 65 labels, more than 64$/,
    ],
    ['a negative pid', status({ target: { ...target(), pid: -1 } }), 'bad_field', /^target_status\.target\.pid -1 is negative$/],
    ['an unknown profile type', profile({ type: 'wallclock' }), 'unknown_type', /^profile\.type "wallclock" is not one of cpu, heap/],
    ['an unknown event kind', event({ kind: 'disk' }), 'unknown_type', /^event\.kind "disk" is not one of cpu, memory/],
    ['an unknown finding kind', event({ findings: [{ kind: 'oom', summary: '', stacks: [] }] }), 'unknown_type', /^event\.findings\[0\]\.kind "oom"/],
    ['an unknown trigger rule', profile({ trigger: { kind: 'rule', rule: { rule: 'disk', value: 1, average: 1, threshold: 1, event_id: 'e-1' } } }), 'unknown_type', /^profile\.trigger\.rule\.rule "disk"/],
    ['no trigger', profile({ trigger: null }), 'bad_field', /^profile\.trigger is missing$/],
    ['a rule trigger without event id', profile({ trigger: { kind: 'rule', rule: { rule: 'cpu', value: 1, average: 1, threshold: 1, event_id: '' } } }), 'bad_field', /^profile\.trigger\.rule\.event_id is empty$/],
    ['an unspecified target state', status({ state: 'TARGET_STATE_UNSPECIFIED' }), 'bad_field', /^target_status\.state "TARGET_STATE_UNSPECIFIED" is not one of/],
    ['a missing time', status({ time_unix_ms: 0 }), 'bad_field', /^target_status\.time_unix_ms is missing$/],
    ['a time older than the retention', event({ time_unix_ms: NOW - 8 * 86_400_000 }), 'bad_time', /^event\.time_unix_ms 2026-11-19T12:00:00\.000Z is older than the retention of 7d$/],
    ['a time 11 minutes in the future', metrics({ points: [{ name: 'goroutines', value: 1, time_unix_ms: NOW + 11 * 60_000 }] }), 'bad_time', /^metrics\.points\[0\]\.time_unix_ms .* is more than 10 minutes in the future$/],
    ['a profile start in the future', profile({ start_unix_ms: NOW + 3_600_000 }), 'bad_time', /^profile\.start_unix_ms/],
    ['a negative duration', profile({ duration_ms: -1 }), 'bad_field', /^profile\.duration_ms -1 is not between 0 and/],
    ['no metric points', metrics({ points: [] }), 'bad_field', /^metrics\.points is empty$/],
    ['a bad metric name', metrics({ points: [{ name: 'cpu-percent', value: 1, time_unix_ms: NOW }] }), 'bad_field', /^metrics\.points\[0\]\.name "cpu-percent" is not a metric name/],
    ['a NaN metric value', metrics({ points: [{ name: 'cpu', value: NaN, time_unix_ms: NOW }] }), 'bad_field', /^metrics\.points\[0\]\.value is NaN, not a finite number$/],
    [
      'too many metric points',
      metrics({ points: Array.from({ length: 10_001 }, () => ({ name: 'cpu', value: 1, time_unix_ms: NOW })) }),
      'too_large',
      /^metrics\.points has 10001 points, more than 10000$/,
    ],
    ['bytes that are not pprof', profile({ pprof_gzip: Buffer.from('not a profile at all') }), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile: /],
    ['a truncated gzip stream', profile({ pprof_gzip: HEAP.subarray(0, HEAP.length / 2) }), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile: truncated gzip stream$/],
    ['empty pprof bytes', profile({ pprof_gzip: Buffer.alloc(0) }), 'invalid_pprof', /^profile\.pprof_gzip: not a pprof profile: empty input$/],
    ['a profile over 64 MiB', profile({ pprof_gzip: Buffer.alloc(64 * 1024 * 1024 + 1) }), 'too_large', /^profile\.pprof_gzip holds 67108865 bytes, more than 67108864$/],
    ['an empty profile id in an event', event({ profile_ids: ['p-1', ''] }), 'bad_field', /^event\.profile_ids\[1\] is empty$/],
    ['a negative finding count', event({ findings: [{ kind: 'deadlock', summary: '', stacks: [{ frames: [], count: -2, state: '', created_by: '' }] }] }), 'bad_field', /^event\.findings\[0\]\.stacks\[0\]\.count -2 is not a count$/],
  ])('rejects %s', (_what, message, reason, text) => {
    const err = rejection(message);
    expect(err).toBeInstanceOf(RejectError);
    expect(err!.reason).toBe(reason);
    expect(err!.message).toMatch(text);
  });

  it('accepts times at both edges of the window', () => {
    expect(rejection(metrics({ points: [{ name: 'cpu', value: 1, time_unix_ms: NOW - WINDOW.retentionMs }] }))).toBeUndefined();
    expect(rejection(metrics({ points: [{ name: 'cpu', value: 1, time_unix_ms: NOW + 10 * 60_000 }] }))).toBeUndefined();
  });
});

describe('toIngestBatch', () => {
  it('keys every batch by its message id and its data time', () => {
    for (const message of [status(), metrics(), profile(), event()]) {
      const batch = toIngestBatch(validateMessage(message, WINDOW));
      expect(batch.messageId).toBe(message.body.id);
      expect(batch.timeMs).toBeGreaterThan(NOW - 10_000);
    }
  });

  it('stores a status without the enum prefix, with its target', () => {
    const batch = toIngestBatch(validateMessage(status({ state: 'TARGET_STATE_RESTARTED' }), WINDOW));
    expect(batch.statuses).toEqual([
      { service: 'checkout', instance: 'pod-1', timeMs: NOW - 1000, state: 'RESTARTED', detail: 'answering', pid: 42, goVersion: 'go1.26.8', url: 'http://127.0.0.1:6060/', labels: { zone: 'a' } },
    ]);
  });

  it('decodes a profile into its row, stacks and samples', () => {
    const batch = toIngestBatch(validateMessage(profile(), WINDOW));
    expect(batch.profiles).toHaveLength(1);
    expect(batch.profiles![0]).toMatchObject({ id: 'p-1', service: 'checkout', type: 'heap', trigger: { kind: 'baseline' }, pprofGzip: HEAP });
    expect(batch.samples!.length).toBeGreaterThan(0);
    expect(batch.samples!.every((s) => s.profileId === 'p-1' && s.timeMs === NOW - 5000)).toBe(true);
  });

  it('maps rule triggers to rules and analysis kinds (deadlock, goroutine_leak) to analyses', () => {
    const rule = { kind: 'rule' as const, rule: { rule: 'cpu', value: 95, average: 20, threshold: 80, event_id: 'e-9' } };
    expect(toIngestBatch(validateMessage(profile({ trigger: rule }), WINDOW)).profiles![0].trigger).toEqual({
      kind: 'rule',
      rule: 'cpu',
      value: 95,
      average: 20,
      threshold: 80,
      eventId: 'e-9',
    });
    const analysis = { kind: 'rule' as const, rule: { rule: 'deadlock', value: 0, average: 0, threshold: 0, event_id: 'e-10' } };
    expect(toIngestBatch(validateMessage(profile({ trigger: analysis }), WINDOW)).profiles![0].trigger).toEqual({ kind: 'analysis', analysis: 'deadlock', eventId: 'e-10' });
  });

  it('carries an event with its findings', () => {
    const batch = toIngestBatch(validateMessage(event(), WINDOW));
    expect(batch.events![0]).toMatchObject({
      id: 'e-1',
      kind: 'goroutine_leak',
      profileIds: ['p-1'],
      findings: [{ kind: 'goroutine_leak', stacks: [{ frames: ['main.main', 'main.leak'], count: 50, state: 'chan receive', createdBy: 'main.main' }] }],
    });
  });
});
