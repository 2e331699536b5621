import { describe, expect, it } from 'vitest';
import { createTaskIdGenerator, TASK_ID_PATTERN, taskIdTime } from '../../../src/tasks/ids.js';

describe('task ids', () => {
  it('look like DLA ids: q + yyyyMMddHHmm + node code, 30 chars', () => {
    const gen = createTaskIdGenerator('sh');
    const id = gen.next(Date.UTC(2018, 10, 2, 11, 9, 39, 149));
    expect(id).toHaveLength(30);
    expect(id.startsWith('q201811021109sh')).toBe(true);
    expect(id).toMatch(TASK_ID_PATTERN);
    expect(taskIdTime(id)?.toISOString()).toBe('2018-11-02T11:09:39.149Z');
    expect(taskIdTime('nope')).toBeNull();
  });
  it('unique and strictly increasing within one ms, across ms, and when the clock steps back', () => {
    const gen = createTaskIdGenerator('a1');
    const t = Date.UTC(2026, 0, 1, 0, 0, 59, 999);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) ids.push(gen.next(t));
    ids.push(gen.next(t + 1)); // next minute
    ids.push(gen.next(t - 10_000)); // clock went back
    for (let i = 0; i < 1000; i++) ids.push(gen.next());
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    for (const id of ids) expect(id).toMatch(TASK_ID_PATTERN);
  });
  it('sequence overflow borrows the next ms and stays sorted', () => {
    const gen = createTaskIdGenerator('zz');
    const t = Date.UTC(2026, 5, 1, 12, 0, 0, 0);
    let prev = '';
    for (let i = 0; i < 36 ** 4 + 10; i++) {
      const id = gen.next(t);
      if (id <= prev) throw new Error(`not increasing at ${i}: ${prev} ${id}`);
      prev = id;
    }
    expect(taskIdTime(prev)?.getTime()).toBe(t + 1);
  });
  it('rejects bad node codes', () => {
    expect(() => createTaskIdGenerator('SH')).toThrow();
    expect(() => createTaskIdGenerator('abc')).toThrow();
  });
});
