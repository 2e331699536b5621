import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../../src/tasks/fair-queue.js';

describe('FairQueue', () => {
  it('round-robin across keys, FIFO within a key', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 3; i++) q.push('a', `a${i}`);
    q.push('b', 'b1');
    q.push('b', 'b2');
    q.push('c', 'c1');
    const out: string[] = [];
    while (q.size) out.push(q.shift()!);
    expect(out).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(q.shift()).toBeUndefined();
  });
  it('a newcomer goes before a key that was just served', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    expect(q.shift()).toBe('a1');
    q.push('a', 'a2');
    q.push('a', 'a3');
    q.push('b', 'b1');
    expect(q.shift()).toBe('b1');
    expect(q.shift()).toBe('a2');
  });
  it('remove', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    expect(q.remove((x) => x === 'a1')).toBe('a1');
    expect(q.remove((x) => x === 'zz')).toBeUndefined();
    expect(q.size).toBe(1);
    expect(q.shift()).toBe('a2');
  });
  it('shift(eligible) - the least recently served of the admitted keys; undefined when none is admitted', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    q.push('b', 'b1');
    expect(q.shift((k) => k !== 'a')).toBe('b1');
    expect(q.shift((k) => k === 'b')).toBeUndefined();
    expect(q.size).toBe(2);
    expect(q.shift()).toBe('a1');
  });
});
