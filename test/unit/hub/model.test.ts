import { describe, expect, it } from 'vitest';
import { assignShards, GroupCoordinator } from '../../../src/hub/groups.js';
import { normalizeTuple, validateTopicSpec } from '../../../src/hub/model/schema.js';
import type { FieldSpec } from '../../../src/hub/types.js';

describe('hub model - TUPLE schema', () => {
  const schema: FieldSpec[] = [
    { name: 'i', type: 'BIGINT', nullable: false },
    { name: 'd', type: 'DOUBLE' },
    { name: 'b', type: 'BOOLEAN' },
    { name: 's', type: 'STRING' },
    { name: 't', type: 'TIMESTAMP' },
    { name: 'm', type: 'DECIMAL' },
  ];

  it('values - normalized to their stored form', () => {
    expect(
      normalizeTuple(schema, ['-9223372036854775808', 0.5, false, '', '1970-01-01T00:00:01Z', 2.5]),
    ).toEqual(['-9223372036854775808', 0.5, false, '', 1_000_000, '2.5']);
    expect(normalizeTuple(schema, { i: 1 })).toEqual(['1', null, null, null, null, null]);
  });

  it('values - each type rejects what does not fit, with the field named', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ i: '9223372036854775808' }, /field i/],
      [{ i: 1.5 }, /field i/],
      [{ i: null }, /not nullable/],
      [{ i: 1, d: Number.NaN }, /field d/],
      [{ i: 1, d: '1' }, /field d/],
      [{ i: 1, b: 'true' }, /field b/],
      [{ i: 1, s: 5 }, /field s/],
      [{ i: 1, t: 'yesterday' }, /field t/],
      [{ i: 1, m: '1e5' }, /field m/],
      [{ i: 1, zz: 1 }, /unknown field zz/],
    ];
    for (const [data, msg] of bad) {
      const r = normalizeTuple(schema, data);
      expect(Array.isArray(r), JSON.stringify(data)).toBe(false);
      expect((r as { error: string }).error).toMatch(msg);
    }
    expect((normalizeTuple(schema, [1]) as { error: string }).error).toMatch(/expected 6 values/);
    expect((normalizeTuple(schema, 'x') as { error: string }).error).toMatch(/array of values or an object/);
  });

  it('topic specs - schema rules and duplicate fields', () => {
    expect(() =>
      validateTopicSpec({
        name: 't',
        shardCount: 1,
        lifecycleDays: 1,
        recordType: 'TUPLE',
        schema: [
          { name: 'a', type: 'STRING' },
          { name: 'A', type: 'STRING' },
        ],
      }),
    ).toThrow(/declared twice/);
    expect(() =>
      validateTopicSpec({
        name: 't',
        shardCount: 1,
        lifecycleDays: 1,
        recordType: 'BLOB',
        schema: [{ name: 'a', type: 'STRING' }],
      }),
    ).toThrow(/BLOB topic has no schema/);
    expect(() =>
      validateTopicSpec({ name: 't', shardCount: 257, lifecycleDays: 1, recordType: 'BLOB' }),
    ).toThrow(/shardCount/);
    expect(() =>
      validateTopicSpec({ name: 't', shardCount: 1, lifecycleDays: 0, recordType: 'BLOB' }),
    ).toThrow(/lifecycleDays/);
  });
});

describe('hub groups - assignment and fencing', () => {
  it('assignShards - range gives contiguous blocks, roundrobin interleaves, every shard exactly once', () => {
    expect(Object.fromEntries(assignShards(['b', 'a', 'c'], 8, 'range'))).toEqual({
      a: [0, 1, 2],
      b: [3, 4, 5],
      c: [6, 7],
    });
    expect(Object.fromEntries(assignShards(['b', 'a', 'c'], 8, 'roundrobin'))).toEqual({
      a: [0, 3, 6],
      b: [1, 4, 7],
      c: [2, 5],
    });
    expect(Object.fromEntries(assignShards(['a', 'b', 'c'], 2, 'range'))).toEqual({ a: [0], b: [1], c: [] });
    expect(assignShards([], 4, 'range').size).toBe(0);
  });

  it('coordinator - session timeout with a controllable clock, rebalance on shard count change', () => {
    let now = 0;
    const g = new GroupCoordinator(() => now);
    const a = g.join('s', 4, { consumerId: 'a', sessionTimeoutMs: 10_000 });
    const b = g.join('s', 4, { consumerId: 'b', sessionTimeoutMs: 5000 });
    expect([a.generation, b.generation]).toEqual([1, 2]);
    now = 4000;
    expect(g.heartbeat('s', 4, 'a').shards).toEqual([0, 1]);
    now = 5001 + 4000; // b last seen at 0 + 5000 timeout; a at 4000
    const a2 = g.heartbeat('s', 4, 'a');
    expect(a2).toMatchObject({ shards: [0, 1, 2, 3], generation: 3, members: 1 });
    expect(() => g.checkCommit('s', 4, 'b', 2, [2])).toThrow(/not in the group/);
    expect(() => g.checkCommit('s', 4, 'a', 2, [0])).toThrow(/stale/);
    g.checkCommit('s', 4, 'a', 3, [0, 3]);
    // The topic got 6 shards: the next heartbeat hands out the new ones.
    const a3 = g.heartbeat('s', 6, 'a');
    expect(a3).toMatchObject({ shards: [0, 1, 2, 3, 4, 5], generation: 4 });
    expect(() => g.join('s', 6, { sessionTimeoutMs: 10 })).toThrow(/sessionTimeoutMs/);
    expect(() => g.join('s', 6, { consumerId: 'has space' })).toThrow(/consumerId/);
  });
});
