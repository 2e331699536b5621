import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import { LakecastError } from '../../../src/shared/index.js';
import { tempDir } from '../../helpers/tmp.js';

let engine: DuckDbEngine;
const tmp = tempDir();

beforeAll(async () => {
  engine = await createDuckDbEngine({ dataDir: tmp.dir, threads: 1, poolSize: 2 });
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const names = (tables: readonly { schema: string | null; name: string }[]) =>
  tables.map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name)).sort();

describe('analyze - tables, table functions and functions from DuckDB’s parser', () => {
  it('analyze - plain select lists base tables with schema', async () => {
    const a = await engine.analyze('select a, upper(b) from demo.orders o join customers c on o.id = c.id');
    expect(a.statementCount).toBe(1);
    expect(a.isQuery).toBe(true);
    expect(names(a.tables)).toEqual(['customers', 'demo.orders']);
    expect(a.functions).toContain('upper');
    expect(a.tableFunctions).toEqual([]);
  });

  it('analyze - read_csv of /etc/passwd is a table function', async () => {
    const a = await engine.analyze("select * from read_csv('/etc/passwd')");
    expect(a.tableFunctions).toEqual(['read_csv']);
    expect(a.tables).toEqual([]);
  });

  it('analyze - a bare string table (replacement scan) is reported as a table', async () => {
    const a = await engine.analyze("from '/etc/passwd'");
    expect(a.isQuery).toBe(true);
    expect(names(a.tables)).toEqual(['/etc/passwd']);
    const b = await engine.analyze("select * from 'data.parquet' t");
    expect(names(b.tables)).toEqual(['data.parquet']);
  });

  it('analyze - table function inside a subquery in FROM', async () => {
    const a = await engine.analyze("select * from (select * from glob('/*'))");
    expect(a.tableFunctions).toEqual(['glob']);
  });

  it('analyze - CTE names are not tables, but a table the CTE reads is', async () => {
    const a = await engine.analyze('with t as (select * from real_t) select * from t join t2 on true');
    expect(names(a.tables)).toEqual(['real_t', 't2']);
  });

  it('analyze - CTE shadowing a real table name hides it only in its scope', async () => {
    const a = await engine.analyze(
      'select * from secret where x in (with secret as (select 1 x) select x from secret)',
    );
    expect(names(a.tables)).toEqual(['secret']);
    const b = await engine.analyze('with secret as (select 1 x) select * from secret');
    expect(b.tables).toEqual([]);
  });

  it('analyze - an earlier CTE cannot see a later one: the name is a table', async () => {
    const a = await engine.analyze('with a as (select * from b), b as (select 1) select * from a, b');
    expect(names(a.tables)).toEqual(['b']);
  });

  it('analyze - a schema-qualified name equal to a CTE is a table', async () => {
    const a = await engine.analyze('with t as (select 1) select * from s.t');
    expect(names(a.tables)).toEqual(['s.t']);
  });

  it('analyze - union branches are all walked', async () => {
    const a = await engine.analyze(
      "select 1 from a union all select 2 from read_parquet('/x') union select lower('x') from b",
    );
    expect(names(a.tables)).toEqual(['a', 'b']);
    expect(a.tableFunctions).toEqual(['read_parquet']);
    expect(a.functions).toContain('lower');
  });

  it('analyze - subqueries in WHERE and SELECT lists', async () => {
    const a = await engine.analyze(
      "select (select max(v) from read_text('/etc/shadow')) from t where exists (select 1 from u where u.k = t.k and md5(u.s) = 'x')",
    );
    expect(names(a.tables)).toEqual(['t', 'u']);
    expect(a.tableFunctions).toEqual(['read_text']);
    expect(a.functions).toEqual(expect.arrayContaining(['max', 'md5']));
  });

  it('analyze - query() and query_table() are table functions', async () => {
    const a = await engine.analyze("select * from query('select * from read_csv(''/etc/passwd'')')");
    expect(a.tableFunctions).toEqual(['query']);
    const b = await engine.analyze("select * from query_table('secret')");
    expect(b.tableFunctions).toEqual(['query_table']);
  });

  it('analyze - getenv() and duckdb_settings() are seen', async () => {
    const a = await engine.analyze("select getenv('HOME')");
    expect(a.functions).toEqual(['getenv']);
    const b = await engine.analyze('select * from duckdb_settings()');
    expect(b.tableFunctions).toEqual(['duckdb_settings']);
  });

  it('analyze - table functions inside lateral joins and their arguments', async () => {
    const a = await engine.analyze(
      "select * from t, lateral (select * from read_csv(t.path)) x cross join lateral unnest(string_split(t.s, ','))",
    );
    expect(names(a.tables)).toEqual(['t']);
    expect(a.tableFunctions).toEqual(expect.arrayContaining(['read_csv']));
    expect(a.functions).toEqual(expect.arrayContaining(['string_split']));
  });

  it('analyze - a subquery inside a table function argument is walked', async () => {
    const a = await engine.analyze('select * from range((select count(*) from hidden))');
    expect(a.tableFunctions).toEqual(['range']);
    expect(names(a.tables)).toEqual(['hidden']);
    expect(a.functions).toContain('count_star');
  });

  it('analyze - window specs and lambdas are walked', async () => {
    const a = await engine.analyze(
      'select sum(x) over (partition by abs(y) order by floor(z)), list_transform([1,2], v -> sqrt(v)) from t',
    );
    expect(a.functions).toEqual(expect.arrayContaining(['sum', 'abs', 'floor', 'list_transform', 'sqrt']));
  });

  it('analyze - a catalog-qualified table keeps its catalog', async () => {
    const a = await engine.analyze('select * from other_db.main.t');
    expect(names(a.tables)).toEqual(['other_db.main.t']);
  });

  it('analyze - DESCRIBE, SUMMARIZE and SHOW are reported as table functions', async () => {
    expect((await engine.analyze('describe t')).tableFunctions).toEqual(['describe']);
    expect((await engine.analyze('summarize t')).tableFunctions).toEqual(['summarize']);
    expect((await engine.analyze('show tables')).tableFunctions).toEqual(['show']);
    expect((await engine.analyze('show all tables')).tableFunctions).toEqual(['show']);
    const d = await engine.analyze("describe select * from read_csv('/etc/passwd')");
    expect([...d.tableFunctions].sort()).toEqual(['describe', 'read_csv']);
  });

  it('analyze - parser-generated built-ins are reported by plain name', async () => {
    const a = await engine.analyze("select * from read_csv(['/etc/passwd']), unnest([1, 2])");
    expect(a.functions).toEqual(['list_value']);
    expect([...a.tableFunctions].sort()).toEqual(['read_csv', 'unnest']);
  });

  it('analyze - recursive CTEs, FROM-first syntax and quoted file names', async () => {
    const r = await engine.analyze(
      'with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r',
    );
    expect(r.tables).toEqual([]);
    expect(names((await engine.analyze('from t select a')).tables)).toEqual(['t']);
    expect(names((await engine.analyze('table t')).tables)).toEqual(['t']);
    const q = await engine.analyze(`select * from 'a.csv' join "b.parquet" on true`);
    expect(names(q.tables)).toEqual(['a.csv', 'b.parquet']);
  });

  it('analyze - a CTE declared inside a subquery does not hide an outer table of the same name', async () => {
    const a = await engine.analyze('select (select 1 from r) from (with r as (select 1) select * from r)');
    expect(names(a.tables)).toEqual(['r']);
  });

  it('analyze - several statements are counted and not a single query', async () => {
    const a = await engine.analyze('select 1; select 2');
    expect(a.statementCount).toBe(2);
    expect(a.isQuery).toBe(false);
  });

  it('analyze - non-SELECT statements are not queries', async () => {
    for (const sql of [
      "copy t to '/tmp/x.csv'",
      'create table x(a int)',
      "attach '/tmp/x.db'",
      'set threads=1',
      'install httpfs',
    ]) {
      const a = await engine.analyze(sql);
      expect(a.isQuery, sql).toBe(false);
    }
  });

  it('analyze - empty text, lone semicolons and comments count 0 statements', async () => {
    for (const sql of ['', '  ;', '-- nothing\n', '/* x */']) {
      expect((await engine.analyze(sql)).statementCount, JSON.stringify(sql)).toBe(0);
    }
  });

  it('analyze - does not wait for the query pool when every connection is busy', async () => {
    const slow = 'select x from range(100000000000) t(x) where x % 1000 = 1';
    const busy = [await engine.query(slow), await engine.query(slow)];
    const started = Date.now();
    const a = await engine.analyze('select 1 from t');
    const d = await engine.describe('select 1 as x');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(a.tables).toEqual([{ schema: null, name: 't' }]);
    expect(d.columns).toEqual([{ name: 'x', type: 'INTEGER' }]);
    for (const b of busy) b.cancel();
  });

  it('analyze - a syntax error throws LC_ENGINE_SYNTAX with errno 1064', async () => {
    const err = await engine.analyze('selec 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakecastError);
    expect((err as LakecastError).code).toBe('LC_ENGINE_SYNTAX');
    expect((err as LakecastError).errno).toBe(1064);
  });
});
