import { DropReporter } from './drop-reporter';

describe('DropReporter', () => {
  let now: number;
  let lines: string[];
  let reporter: DropReporter;

  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    lines = [];
    reporter = new DropReporter((l) => lines.push(l), 60_000, () => now);
  });
  afterEach(() => {
    reporter.flush();
    jest.useRealTimers();
  });

  it('reports the first drop at once and the rest of a burst when the minute is over', () => {
    reporter.dropped(1);
    now = 1_000;
    reporter.dropped(4);
    reporter.dropped(2);
    expect(lines).toEqual(['spool full: dropped 1 oldest message(s) (1 since start)']);
    now = 60_000;
    jest.advanceTimersByTime(59_000);
    expect(lines).toEqual([
      'spool full: dropped 1 oldest message(s) (1 since start)',
      'spool full: dropped 6 oldest message(s) (7 since start)',
    ]);
  });

  it('writes what is unreported on flush, and nothing when all was said', () => {
    reporter.dropped(2);
    reporter.dropped(3);
    reporter.flush();
    reporter.flush();
    expect(lines).toEqual(['spool full: dropped 2 oldest message(s) (2 since start)', 'spool full: dropped 3 oldest message(s) (5 since start)']);
  });
});
