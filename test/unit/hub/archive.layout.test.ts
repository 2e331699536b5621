import { describe, expect, it } from 'vitest';
import { type PartFile, planRecovery } from '../../../src/hub/archive/files.js';
import {
  columnType,
  parsePartFile,
  partFileName,
  partitionOf,
  stageLine,
  tableColumns,
  tmpFileName,
} from '../../../src/hub/archive/layout.js';

const file = (shardId: number, firstSeq: number, lastSeq: number): PartFile => ({
  path: `/lake/x/${partFileName(shardId, firstSeq, lastSeq)}`,
  shardId,
  firstSeq,
  lastSeq,
});
/** Row counts as a complete file of a dense range would have them, unless listed. */
const rows =
  (overrides: Record<string, number> = {}) =>
  async (p: string) => {
    const parsed = parsePartFile(p.slice(p.lastIndexOf('/') + 1));
    if (!parsed) throw new Error(p);
    return overrides[p] ?? parsed.lastSeq - parsed.firstSeq + 1;
  };

describe('hub archive - layout', () => {
  it('partitionOf - dt/hh from systemTime in UTC', () => {
    expect(partitionOf(Date.UTC(2026, 10, 22, 23, 59, 59, 999))).toBe('dt=2026-11-22/hh=23');
    expect(partitionOf(Date.UTC(2026, 10, 23, 0, 0))).toBe('dt=2026-11-23/hh=00');
  });

  it('part file names - round trip; temporaries are hidden and not part files', () => {
    expect(partFileName(3, 10, 99)).toBe('part-3-10-99.parquet');
    expect(parsePartFile('part-3-10-99.parquet')).toEqual({ shardId: 3, firstSeq: 10, lastSeq: 99 });
    expect(tmpFileName(3, 10, 99)).toBe('.part-3-10-99.parquet.tmp');
    expect(parsePartFile(tmpFileName(3, 10, 99))).toBeNull();
    expect(parsePartFile('part-3-10.parquet')).toBeNull();
  });

  it('tableColumns - TUPLE fields then meta columns; DECIMAL kept as text; BLOB is data BLOB', () => {
    const cols = tableColumns({
      recordType: 'TUPLE',
      schema: [
        { name: 'a', type: 'BIGINT' },
        { name: 'p', type: 'DECIMAL' },
      ],
    });
    expect(cols.map((c) => `${c.name} ${c.type}`)).toEqual([
      'a BIGINT',
      'p STRING',
      'shard_id INT',
      'sequence BIGINT',
      'system_time TIMESTAMP',
      'partition_key STRING',
      'attributes STRING',
    ]);
    expect(tableColumns({ recordType: 'BLOB' })[0]).toEqual({ name: 'data', type: 'BLOB' });
    expect(columnType('TIMESTAMP')).toBe('TIMESTAMP');
  });

  it('tableColumns - a field named like an archive column is refused', () => {
    for (const name of ['sequence', 'DT', 'attributes'])
      expect(() => tableColumns({ recordType: 'TUPLE', schema: [{ name, type: 'STRING' }] })).toThrow(
        expect.objectContaining({ code: 'LC_HUB_BAD_REQUEST' }),
      );
  });

  it('stageLine - every TUPLE value as exact text, BLOB as base64', () => {
    const t = stageLine(
      { shardId: 1, sequence: 7, systemTime: 5, data: { a: '9007199254740993', b: null, c: true } },
      'TUPLE',
      [
        { name: 'a', type: 'BIGINT' },
        { name: 'b', type: 'DOUBLE' },
        { name: 'c', type: 'BOOLEAN' },
      ],
    );
    expect(JSON.parse(t)).toEqual({
      s: 1,
      q: 7,
      t: 5,
      k: null,
      a: null,
      v: ['9007199254740993', null, 'true'],
    });
    const b = stageLine(
      {
        shardId: 0,
        sequence: 0,
        systemTime: 1,
        partitionKey: 'k',
        attributes: { x: 'y' },
        data: new Uint8Array([255]),
      },
      'BLOB',
      [],
    );
    expect(JSON.parse(b)).toEqual({ s: 0, q: 0, t: 1, k: 'k', a: '{"x":"y"}', b: '/w==' });
  });
});

describe('hub archive - recovery plan', () => {
  it('recovery - nothing past the committed offset: nothing to do', async () => {
    const plan = await planRecovery([file(0, 0, 9), file(0, 10, 19)], 20, 20, rows());
    expect(plan).toEqual({ next: 20, adopt: [], remove: [] });
  });

  it('recovery - complete files continuing the committed offset are adopted', async () => {
    const plan = await planRecovery([file(0, 0, 9), file(0, 10, 19), file(0, 20, 24)], 10, 10, rows());
    expect(plan.next).toBe(25);
    expect(plan.adopt.map((f) => f.firstSeq)).toEqual([10, 20]);
    expect(plan.remove).toEqual([]);
  });

  it('recovery - after a gap in the chain the rest is deleted (rewritten from the hub)', async () => {
    // 20..29 was never renamed (crash mid-flush): 30..39 must go, or 20..29 would be written after it out of order
    // and 30..39 twice.
    const plan = await planRecovery([file(0, 10, 19), file(0, 30, 39)], 10, 10, rows());
    expect(plan.next).toBe(20);
    expect(plan.remove.map((f) => f.firstSeq)).toEqual([30]);
  });

  it('recovery - a file missing sequences of its range (sparse, e.g. NATS) is deleted, not adopted', async () => {
    const f = file(0, 100, 120);
    const plan = await planRecovery([f], 90, 100, rows({ [f.path]: 5 }));
    expect(plan).toEqual({ next: 90, adopt: [], remove: [f] });
  });

  it('recovery - the first file may start at the first record the hub returned after the offset', async () => {
    const plan = await planRecovery([file(2, 105, 109)], 100, 105, rows());
    expect(plan.next).toBe(110);
    expect(plan.adopt).toHaveLength(1);
  });
});
