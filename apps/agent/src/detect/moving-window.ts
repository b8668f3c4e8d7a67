/** The last `size` values of one metric; their average is the rules' moving average. */
export class MovingWindow {
  private readonly values: number[] = [];
  private next = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, got ${size}`);
  }

  get full(): boolean {
    return this.values.length === this.size;
  }

  /** Average of the values held (NaN when empty); summed afresh so no rounding drift builds up. */
  get average(): number {
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  push(value: number): void {
    if (this.values.length < this.size) {
      this.values.push(value);
    } else {
      this.values[this.next] = value;
      this.next = (this.next + 1) % this.size;
    }
  }

  clear(): void {
    this.values.length = 0;
    this.next = 0;
  }
}
