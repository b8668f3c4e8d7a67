/**
 * Reports data the spool had to drop: at most one line per interval, always with the totals,
 * so a long outage that keeps the spool full logs once a minute instead of once per message.
 * A burst that ends inside the interval is still reported when the interval is over.
 */
export class DropReporter {
  private total = 0;
  private reported = 0;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  dropped(count: number): void {
    this.total += count;
    const wait = this.lastReportAt + this.intervalMs - this.now();
    if (wait <= 0) {
      this.report();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.report(), wait);
      // A pending report must never keep the agent alive on its own.
      this.timer.unref();
    }
  }

  /** Reports what is still unreported (at close: nothing is lost from the log either). */
  flush(): void {
    if (this.total > this.reported) this.report();
    this.clearTimer();
  }

  private report(): void {
    this.clearTimer();
    if (this.total === this.reported) return;
    this.log(`spool full: dropped ${this.total - this.reported} oldest message(s) (${this.total} since start)`);
    this.reported = this.total;
    this.lastReportAt = this.now();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
