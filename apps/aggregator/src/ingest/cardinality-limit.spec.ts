import type { Target__Output } from '@stackwatch/contract';
import { CardinalityLimit } from './cardinality-limit';
import type { ValidMessage } from './message-validation';
import { RejectError } from './reject';

const target = (labels: Record<string, string>, instance = 'i-1'): Target__Output => ({ service: 'checkout', instance, labels, pid: 1, go_version: '', url: '' });
const status = (t: Target__Output) => ({ message: { kind: 'target_status', body: {} }, target: t }) as unknown as ValidMessage;
const metrics = (t: Target__Output, names: string[]) => ({ message: { kind: 'metrics', body: { points: names.map((name) => ({ name })) } }, target: t }) as unknown as ValidMessage;

function rejectReason(admit: () => void): string | undefined {
  try {
    admit();
  } catch (err) {
    return err instanceof RejectError ? err.reason : `not a RejectError: ${String(err)}`;
  }
  return undefined;
}

describe('CardinalityLimit', () => {
  it('counts a target by service, instance and its whole label set, in any label order', () => {
    const limit = new CardinalityLimit(2, 10);
    limit.admit(status(target({ a: '1', b: '2' })));
    limit.admit(status(target({ b: '2', a: '1' })));
    limit.admit(status(target({ a: '1' })));
    expect(() => limit.admit(status(target({ a: '1' }, 'i-2')))).toThrow(/target number 3, more than 2/);
    // Known ones still pass after the limit was hit.
    expect(() => limit.admit(status(target({ a: '1', b: '2' })))).not.toThrow();
  });

  it('limits distinct metric names, counting a message all or nothing', () => {
    const limit = new CardinalityLimit(10, 3);
    limit.admit(metrics(target({}), ['cpu_percent', 'goroutines', 'cpu_percent']));
    expect(() => limit.admit(metrics(target({}), ['threads', 'rss_bytes']))).toThrow('metrics: 2 new metric names would make more than 3 on this stream (first new: "threads")');
    limit.admit(metrics(target({}), ['threads', 'goroutines']));
    expect(() => limit.admit(metrics(target({}), ['rss_bytes']))).toThrow(/more than 3/);
  });

  it('rejects with the cardinality reason and records nothing of a refused message', () => {
    const limit = new CardinalityLimit(1, 1);
    limit.admit(metrics(target({}), ['a']));
    expect(rejectReason(() => limit.admit(metrics(target({ x: '1' }), ['a'])))).toBe('cardinality');
    expect(rejectReason(() => limit.admit(metrics(target({}), ['b'])))).toBe('cardinality');
  });
});
