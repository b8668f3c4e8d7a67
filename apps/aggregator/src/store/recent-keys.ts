/**
 * A bounded set of recently seen keys, least recently used dropped first. The stores use it to
 * write each (service, stack hash, day) once: a hit means "written recently, skip"; a miss costs
 * one more stack row, which the table collapses, so forgetting is always safe.
 */
export class RecentKeys {
  // A Map iterates in insertion order: re-inserting on a hit moves a key to the young end.
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`RecentKeys capacity: expected a positive integer, got ${capacity}`);
  }

  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.set(key, true);
    return true;
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.keys().next();
      if (oldest.done) break;
      this.keys.delete(oldest.value);
    }
  }

  get size(): number {
    return this.keys.size;
  }
}
