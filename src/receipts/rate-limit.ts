/**
 * A sliding-window rate limiter for robots (DingTalk 20/min, Feishu 100/min and 5/s…). It never drops: the
 * dispatcher asks {@link RateLimiter.tryTake} before sending and, when the window is full, reschedules the
 * receipt for when a slot frees (queueing in the outbox, not in memory).
 */
export class RateLimiter {
  private readonly sent: number[][];

  constructor(
    /** `[limit, windowMs]` pairs, all enforced. */
    private readonly windows: readonly (readonly [number, number])[],
    private readonly clock: () => number = Date.now,
  ) {
    this.sent = windows.map(() => []);
  }

  /** 0 and a slot is taken; otherwise the ms until one frees (nothing taken). */
  tryTake(): number {
    const now = this.clock();
    let wait = 0;
    this.windows.forEach(([limit, windowMs], i) => {
      const times = this.sent[i]!;
      while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
      if (times.length >= limit) wait = Math.max(wait, times[0]! + windowMs - now + 1);
    });
    if (wait > 0) return wait;
    for (const times of this.sent) times.push(now);
    return 0;
  }
}
