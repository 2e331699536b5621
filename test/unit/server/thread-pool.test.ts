import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  configuredPoolThreads,
  neededPoolThreads,
  warnIfPoolSmall,
} from '../../../src/server/thread-pool.js';

describe('libuv thread pool size check', () => {
  it('reads UV_THREADPOOL_SIZE as libuv does (checked against the pool of Node 20): unset 4, no number or 0 → 1, negative or over 1024 → 1024', () => {
    expect(configuredPoolThreads()).toBe(4);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '' })).toBe(1);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: 'lots' })).toBe(1);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '48' })).toBe(48);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '48abc' })).toBe(48);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '-3' })).toBe(1024);
    expect(configuredPoolThreads({ UV_THREADPOOL_SIZE: '100000' })).toBe(1024);
  });

  it('the entry default (32) covers the two engines; fewer threads log one warning naming the size needed', () => {
    expect(neededPoolThreads(2)).toBeLessThanOrEqual(32);
    expect(neededPoolThreads(1)).toBeLessThan(neededPoolThreads(2));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    expect(warnIfPoolSmall(logger, 2, { UV_THREADPOOL_SIZE: '32' })).toBe(false);
    expect(lines).toEqual([]);
    expect(warnIfPoolSmall(logger, 2, {})).toBe(true);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; threads: number; needed: number; msg: string };
    expect(line).toMatchObject({ level: 40, threads: 4, needed: neededPoolThreads(2) });
    expect(line.msg).toContain(`UV_THREADPOOL_SIZE=${neededPoolThreads(2)}`);
  });
});
