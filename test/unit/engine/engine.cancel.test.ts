import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import { LakecastError } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

let engine: DuckDbEngine;
const tmp = tempDir();
const SLOW = 'select count(*) from range(100000000000) t(x) where x % 7 = 3';
const SLOW_STREAM = 'select x, x * 2 from range(100000000000) t(x) where x % 1000 = 1';

beforeAll(async () => {
  engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 2, poolSize: 2 });
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

async function drain(result: Awaited<ReturnType<DuckDbEngine['query']>>): Promise<number> {
  let n = 0;
  for await (const b of result.batches) n += b.length;
  return n;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LakecastError);
  return (err as LakecastError).code;
}

describe('cancel - AbortSignal, timeout, early break', () => {
  it('cancel - running query stops within 1 s of abort', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    const code = await codeOf(engine.query(SLOW, { signal: ac.signal }).then(drain));
    expect(code).toBe('LC_CANCELLED');
    expect(Date.now() - started).toBeLessThan(1300);
  });

  it('cancel - abort while streaming batches ends iteration with LC_CANCELLED', async () => {
    const ac = new AbortController();
    const r = await engine.query(SLOW_STREAM, { signal: ac.signal });
    const started = Date.now();
    const code = await codeOf(
      (async () => {
        let n = 0;
        for await (const b of r.batches) {
          n += b.length;
          if (n > 5000) ac.abort();
        }
      })(),
    );
    expect(code).toBe('LC_CANCELLED');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('cancel - an already aborted signal fails at once', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(engine.query('select 1', { signal: ac.signal }))).toBe('LC_CANCELLED');
  });

  it('timeout - timeoutMs ends the query with LC_TIMEOUT', async () => {
    const started = Date.now();
    const code = await codeOf(engine.query(SLOW, { timeoutMs: 200 }).then(drain));
    expect(code).toBe('LC_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('cancel - breaking out early interrupts and the connection is reusable', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await engine.query(SLOW_STREAM);
      for await (const b of r.batches) {
        expect(b.length).toBeGreaterThan(0);
        break;
      }
    }
    const r = await engine.query('select 42 as x');
    expect(await drain(r)).toBe(1);
  });

  it('cancel - result.cancel() interrupts only its own query', async () => {
    const a = await engine.query(SLOW_STREAM);
    const b = await engine.query('select * from range(100000)');
    a.cancel();
    expect(await codeOf(drain(a))).toBe('LC_CANCELLED');
    expect(await drain(b)).toBe(100000);
  });

  it('cancel - cancelling a result that was never iterated returns its connection', async () => {
    for (let i = 0; i < 5; i++) (await engine.query(SLOW_STREAM)).cancel();
    const r = await engine.query('select 1');
    expect(await drain(r)).toBe(1);
    const c = await engine.query('select 1');
    c.cancel();
    expect(await codeOf(drain(c))).toBe('LC_CANCELLED');
  });

  it('cancel - aborting while waiting for a pooled connection', async () => {
    const busy1 = await engine.query(SLOW_STREAM);
    const busy2 = await engine.query(SLOW_STREAM);
    const ac = new AbortController();
    const waiting = engine.query('select 1', { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await codeOf(waiting)).toBe('LC_CANCELLED');
    busy1.cancel();
    busy2.cancel();
    await drain(busy1).catch(() => 0);
    await drain(busy2).catch(() => 0);
    expect(await drain(await engine.query('select 1'))).toBe(1);
  });

  it('progress - onProgress reports percentages while a long query runs', async () => {
    const seen: number[] = [];
    const file = `${tmp.dir}/p.parquet`;
    await engine.exec(`copy (select range a, range * 2 b from range(1000000)) to '${file}'`);
    const files = Array(300).fill(`'${file}'`).join(',');
    const code = await codeOf(
      engine
        .query(`select sum(a * b) from read_parquet([${files}])`, {
          onProgress: (p) => seen.push(p),
          progressIntervalMs: 50,
          timeoutMs: 1500,
        })
        .then(drain),
    );
    expect(code).toBe('LC_TIMEOUT');
    expect(seen.length).toBeGreaterThan(1);
    for (const p of seen) expect(p >= 0 && p <= 100).toBe(true);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('pool - queries run concurrently on separate connections', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => engine.query(`select ${i} + range from range(10000)`).then(drain)),
    );
    expect(results).toEqual([10000, 10000, 10000, 10000, 10000, 10000]);
  });
});
