import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import type { Cell } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

// One pooled connection: every query below reuses the same connection and so its kept prepared statements.
let engine: DuckDbEngine;
const tmp = tempDir();

beforeAll(async () => {
  engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 1, poolSize: 1 });
  await engine.exec('create schema s; create view s.v as select 1 as a');
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

async function rows(sql: string, opts: Parameters<DuckDbEngine['query']>[1] = {}): Promise<Cell[][]> {
  const r = await engine.query(sql, opts);
  const out: Cell[][] = [];
  for await (const b of r.batches) out.push(...b);
  return out;
}

describe('prepared statements kept per connection - the same text never sees a stale catalog', () => {
  it('prepared - repeated text gives the same rows', async () => {
    for (let i = 0; i < 3; i++) expect(await rows('select a from s.v')).toEqual([[1]]);
  });

  it('prepared - a view replaced by trusted DDL (exec) is seen by the same text', async () => {
    expect(await rows('select * from s.v')).toEqual([[1]]);
    await engine.exec("create or replace view s.v as select 2 as a, 'x' as b");
    expect(await rows('select * from s.v')).toEqual([[2, 'x']]);
  });

  it('prepared - DDL run through query() invalidates too', async () => {
    expect(await rows('select count(*) from s.w').catch(() => 'missing')).toBe('missing');
    await rows('create view s.w as select 1 as c');
    expect(await rows('select count(*) from s.w')).toEqual([[1n]]);
    await rows('create or replace view s.w as select * from range(3)');
    expect(await rows('select count(*) from s.w')).toEqual([[3n]]);
  });

  it('prepared - the default schema is part of the key', async () => {
    await engine.exec('create schema t; create view t.v as select 9 as a');
    expect(await rows('select a from v', { defaultSchema: 's' })).toEqual([[2]]);
    expect(await rows('select a from v', { defaultSchema: 't' })).toEqual([[9]]);
    expect(await rows('select a from v', { defaultSchema: 's' })).toEqual([[2]]);
  });

  it('prepared - parameters are bound per execution, never kept', async () => {
    expect(await rows('select ? + 1', { params: [1] })).toEqual([[2]]);
    expect(await rows('select ? + 1', { params: [41] })).toEqual([[42]]);
  });

  it('prepared - several statements in one text still run (all but the last, then the last streamed)', async () => {
    expect(await rows('create or replace view s.m as select 5 as a; select a from s.m')).toEqual([[5]]);
    expect(await rows('select a from s.m')).toEqual([[5]]);
  });
});
