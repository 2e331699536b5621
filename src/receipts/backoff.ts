/**
 * Exponential, capped, jittered backoff ("equal jitter": half fixed, half random, so retries of many receipts
 * spread out but never come back sooner than half the nominal delay).
 */
export function backoffDelay(
  attempt: number,
  options: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const nominal = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}
