import type { Stack } from './profile';

/** An unambiguous Map key for a frame sequence (names may contain any character). */
export function stackKey(frames: readonly string[]): string {
  return JSON.stringify(frames);
}

/** Sums values of identical frame sequences, keeping first-seen order. */
export class StackAccumulator {
  private readonly byKey = new Map<string, { frames: readonly string[]; values: bigint[] }>();

  constructor(private readonly width: number) {}

  add(frames: readonly string[], values: readonly bigint[]): void {
    const key = stackKey(frames);
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { frames: [...frames], values: new Array<bigint>(this.width).fill(0n) };
      this.byKey.set(key, entry);
    }
    for (let i = 0; i < this.width; i++) entry.values[i] += values[i];
  }

  stacks(): Stack[] {
    return [...this.byKey.values()];
  }
}
