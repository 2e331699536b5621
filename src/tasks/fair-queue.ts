/**
 * A queue that is fair across users: one FIFO per key (the task's creator); the next item comes from the key
 * served least recently, so one user submitting 1,000 tasks does not make another user's single task wait
 * behind all of them, and users with waiting tasks take turns (round-robin).
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** When each key was last served (a counter); keys never served count as 0. */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Items waiting for `key`. */
  sizeOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  push(key: string, item: T): void {
    let q = this.queues.get(key);
    if (!q) {
      q = [];
      this.queues.set(key, q);
    }
    q.push(item);
    this.count++;
  }

  /**
   * The next item, of the keys `eligible` admits (all when absent); undefined when none waits. O(number of keys
   * with waiting items).
   */
  shift(eligible?: (key: string) => boolean): T | undefined {
    if (this.count === 0) return undefined;
    let best: string | undefined;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const key of this.queues.keys()) {
      if (eligible && !eligible(key)) continue;
      const at = this.lastServed.get(key) ?? 0;
      if (at < bestAt) {
        best = key;
        bestAt = at;
      }
    }
    if (best === undefined) return undefined;
    const key = best;
    const q = this.queues.get(key)!;
    const item = q.shift()!;
    this.count--;
    if (q.length === 0) this.queues.delete(key);
    this.markServed(key);
    return item;
  }

  /**
   * Counts a turn for `key` served without passing through the queue (a task that started at once because
   * nobody was waiting), so the round-robin still sees it.
   */
  markServed(key: string): void {
    this.lastServed.set(key, ++this.served);
    // Forget users long idle so the map stays bounded.
    if (this.lastServed.size > 10_000) {
      for (const [k, at] of this.lastServed)
        if (!this.queues.has(k) && at < this.served - 10_000) this.lastServed.delete(k);
    }
  }

  /** Removes the first item matching `pred` (e.g. a cancelled task); answers it, undefined when none matched. */
  remove(pred: (item: T) => boolean): T | undefined {
    for (const [key, q] of this.queues) {
      const i = q.findIndex(pred);
      if (i < 0) continue;
      const [item] = q.splice(i, 1);
      this.count--;
      if (q.length === 0) this.queues.delete(key);
      return item;
    }
    return undefined;
  }
}
