/** Percentile (0–100) of numbers, by nearest rank on a sorted copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Median of numbers. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Milliseconds elapsed since a `process.hrtime.bigint()` reading. */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Rounds for display. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Median and range of each number across results of the same shape (repeated benchmark runs): objects are
 * walked key by key, numbers become `{ median, min, max }`, anything else is taken from the first result.
 */
export function summarizeRuns(results: readonly unknown[]): unknown {
  const first = results[0];
  if (typeof first === 'number') {
    const xs = results.filter((r): r is number => typeof r === 'number');
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  }
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = summarizeRuns(results.map((r) => (r as Record<string, unknown>)[key]));
    return out;
  }
  return first;
}
