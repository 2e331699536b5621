import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLineitem, TPCH_Q1, TPCH_Q6 } from '../../../bench/data-gen.js';
import { createDuckDbEngine } from '../../../src/engine/index.js';
import type { Cell } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('data-gen - TPC-H-like lineitem', () => {
  it('data-gen - small lineitem has TPC-H columns, types and value ranges; Q1 and Q6 run on it', async () => {
    const out = await generateLineitem(path.join(tmp.dir, 'data'), 40_000, { threads: 1 });
    expect(out.generated).toBe(true);
    expect((await generateLineitem(path.join(tmp.dir, 'data'), 40_000)).generated).toBe(false);

    const engine = await createDuckDbEngine({
      dataDir: path.join(tmp.dir, 'engine'),
      threads: 1,
      poolSize: 1,
    });
    try {
      await engine.exec(`create view lineitem as select * from read_parquet('${out.file}')`);
      const d = await engine.describe('select * from lineitem');
      expect(
        d.columns.map(
          (c) => `${c.name}:${c.type}${c.scale !== undefined ? `(${c.precision},${c.scale})` : ''}`,
        ),
      ).toEqual([
        'l_orderkey:BIGINT',
        'l_partkey:BIGINT',
        'l_suppkey:BIGINT',
        'l_linenumber:INTEGER',
        'l_quantity:DECIMAL(15,2)',
        'l_extendedprice:DECIMAL(15,2)',
        'l_discount:DECIMAL(15,2)',
        'l_tax:DECIMAL(15,2)',
        'l_returnflag:VARCHAR',
        'l_linestatus:VARCHAR',
        'l_shipdate:DATE',
        'l_commitdate:DATE',
        'l_receiptdate:DATE',
        'l_shipinstruct:VARCHAR',
        'l_shipmode:VARCHAR',
        'l_comment:VARCHAR',
      ]);
      const all = async (sql: string) => {
        const r = await engine.query(sql);
        const rows: Cell[][] = [];
        for await (const b of r.batches) rows.push(...b);
        return rows;
      };
      const [stats] =
        await all(`select count(*), min(l_quantity), max(l_quantity), min(l_discount), max(l_discount),
        max(l_tax), min(l_shipdate), max(l_receiptdate), count(distinct l_shipmode), count(distinct l_shipinstruct),
        bool_and(l_receiptdate > l_shipdate), min(length(l_comment)), max(length(l_comment)) from lineitem`);
      expect(stats).toEqual([
        40000n,
        '1.00',
        '50.00',
        '0.00',
        '0.10',
        '0.08',
        expect.any(String),
        expect.any(String),
        7n,
        4n,
        true,
        expect.any(BigInt),
        expect.any(BigInt),
      ]);
      expect(String(stats[6]) >= '1992-01-02').toBe(true);
      expect(String(stats[7]) <= '1998-12-31').toBe(true);
      const q1 = await all(TPCH_Q1);
      expect(q1.map((r) => `${r[0]}${r[1]}`)).toEqual(['AF', 'NF', 'NO', 'RF']);
      const q6 = await all(TPCH_Q6);
      expect(Number(q6[0][0])).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});
