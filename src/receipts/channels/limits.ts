import { RateLimiter } from '../rate-limit.js';
import { type ChannelSettings, num } from './types.js';

/**
 * The channel's rate limiter: the type's defaults (`[limit, windowMs]`), replaced by `rate_per_minute` /
 * `rate_per_second` settings when given. Undefined when there is no limit.
 */
export function limiterFrom(
  s: ChannelSettings,
  defaults: readonly (readonly [number, number])[],
): RateLimiter | undefined {
  const perMin = num(s, 'rate_per_minute');
  const perSec = num(s, 'rate_per_second');
  const windows: [number, number][] = [];
  if (perMin !== undefined || perSec !== undefined) {
    if (perMin !== undefined && perMin > 0) windows.push([perMin, 60_000]);
    if (perSec !== undefined && perSec > 0) windows.push([perSec, 1_000]);
  } else windows.push(...defaults.map(([l, w]) => [l, w] as [number, number]));
  return windows.length > 0 ? new RateLimiter(windows) : undefined;
}
