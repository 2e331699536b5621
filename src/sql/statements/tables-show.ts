import type { TableDefinition } from '../../catalog/types.js';
import {
  type Cell,
  type ColumnMeta,
  rowsResult,
  type StatementResult,
  textColumn,
} from '../../shared/index.js';
import type { Cursor } from '../cursor.js';
import { renderCreateTable } from '../ddl-render.js';
import { filterRows } from '../filter.js';
import { likeMatch } from '../like.js';
import { lookupName, requireRead, requireTable, type StatementInput, schemaOf, tableKey } from './env.js';
import { registerInEngine } from './tables-ddl.js';

/** `[FROM|IN db]` after SHOW TABLES / COLUMNS. */
function fromDb(c: Cursor): string | null {
  return c.acceptOneOf('FROM', 'IN') === null ? null : c.name('a database name');
}

/** Resolves `t [FROM db]` / `db.t` to a readable table. */
async function readableTable(input: StatementInput, q: string | null, n: string): Promise<TableDefinition> {
  const schema = schemaOf(input.ctx, q);
  await requireRead(input.env, input.ctx, schema);
  return requireTable(input.env, schema, lookupName(n));
}

/** SHOW [FULL] TABLES [FROM|IN db] [LIKE …|WHERE …], column `Tables_in_<db>` as MySQL. */
export async function showTables(input: StatementInput, c: Cursor, full: boolean): Promise<StatementResult> {
  const schema = schemaOf(input.ctx, fromDb(c));
  await requireRead(input.env, input.ctx, schema);
  const tables = await input.env.deps.catalog.listTables(schema);
  const col = `Tables_in_${schema}`;
  const cols = full ? [col, 'Table_type'] : [col];
  const rows: Cell[][] = tables
    .map((t) => (full ? [t.name, 'BASE TABLE'] : [t.name]))
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return rowsResult(cols.map(textColumn), filterRows(c, cols, rows));
}

/** MySQL's column rows for a table; partition columns last, marked in Extra. */
function columnRows(def: TableDefinition, full: boolean): Cell[][] {
  const row = (name: string, type: string, comment: string | undefined, partition: boolean): Cell[] => {
    const base: Cell[] = [name, type.toLowerCase(), 'YES', '', null, partition ? 'partition key' : ''];
    return full ? [name, type.toLowerCase(), null, 'YES', '', null, base[5], 'select', comment ?? ''] : base;
  };
  return [
    ...def.columns.map((c) => row(c.name, c.type, c.comment, false)),
    ...def.partitionColumns.map((c) => row(c.name, c.type, c.comment, true)),
  ];
}

const COLUMNS = ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'];
const FULL_COLUMNS = [
  'Field',
  'Type',
  'Collation',
  'Null',
  'Key',
  'Default',
  'Extra',
  'Privileges',
  'Comment',
];

/** SHOW [FULL] COLUMNS|FIELDS FROM|IN t [FROM|IN db] [LIKE …|WHERE …]. */
export async function showColumns(input: StatementInput, c: Cursor, full: boolean): Promise<StatementResult> {
  if (c.acceptOneOf('FROM', 'IN') === null) throw c.error('expected FROM');
  let [q, n] = c.qualifiedName();
  const db = fromDb(c);
  if (db !== null) q = db;
  const def = await readableTable(input, q, n);
  const cols = full ? FULL_COLUMNS : COLUMNS;
  return rowsResult(cols.map(textColumn), filterRows(c, cols, columnRows(def, full)));
}

/** DESCRIBE|DESC|EXPLAIN t [column | 'pattern']. */
export async function describeTable(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const [q, n] = c.qualifiedName();
  const def = await readableTable(input, q, n);
  let rows = columnRows(def, false);
  if (!c.atEnd()) {
    const t = c.next();
    const pattern = t.value;
    rows = rows.filter((r) =>
      t.kind === 'string'
        ? likeMatch(String(r[0]), pattern)
        : String(r[0]).toLowerCase() === pattern.toLowerCase(),
    );
  }
  c.end();
  return rowsResult(COLUMNS.map(textColumn), rows);
}

/** SHOW CREATE TABLE t: the statement that re-creates the definition. */
export async function showCreateTable(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const [q, n] = c.qualifiedName();
  c.end();
  const def = await readableTable(input, q, n);
  return rowsResult([textColumn('Table'), textColumn('Create Table')], [[def.name, renderCreateTable(def)]]);
}

/** SHOW PARTITIONS t: hive partitions found under the location now, column `partition` as Hive. */
export async function showPartitions(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const [q, n] = c.qualifiedName();
  const def = await readableTable(input, q, n);
  const env = input.env;
  let dir = env.localDirs.get(tableKey(def.schema, def.name));
  if (dir === undefined || def.location.toLowerCase().startsWith('s3://'))
    dir = await registerInEngine(env, def);
  const cols = def.partitionColumns.map((x) => x.name);
  const parts = cols.length > 0 ? await env.deps.engine.listPartitions(dir, cols) : [];
  return rowsResult(
    [textColumn('partition')],
    filterRows(
      c,
      ['partition'],
      parts.map((p) => [p.spec]),
    ),
  );
}

/** SHOW TABLE STATUS [FROM db] [LIKE …|WHERE …]: what GUI tools read to list tables. */
export async function showTableStatus(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const schema = schemaOf(input.ctx, fromDb(c));
  await requireRead(input.env, input.ctx, schema);
  const names = ['Name', 'Engine', 'Version', 'Row_format', 'Rows', 'Create_time', 'Collation', 'Comment'];
  const meta: ColumnMeta[] = names.map((x) =>
    x === 'Version' || x === 'Rows' ? { name: x, type: 'BIGINT' } : textColumn(x),
  );
  const rows: Cell[][] = (await input.env.deps.catalog.listTables(schema)).map((t) => [
    t.name,
    'Lakecast',
    10n,
    t.format,
    null,
    t.createdAt.toISOString().slice(0, 19).replace('T', ' '),
    'utf8mb4_0900_ai_ci',
    t.comment ?? '',
  ]);
  return rowsResult(meta, filterRows(c, names, rows));
}

/** SHOW INDEX|INDEXES|KEYS FROM t: external tables have no indexes; the table must still be readable. */
export async function showIndex(input: StatementInput, c: Cursor): Promise<StatementResult> {
  if (c.acceptOneOf('FROM', 'IN') === null) throw c.error('expected FROM');
  let [q, n] = c.qualifiedName();
  const db = fromDb(c);
  if (db !== null) q = db;
  await readableTable(input, q, n);
  const cols = ['Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name', 'Collation', 'Cardinality'];
  return rowsResult(cols.map(textColumn), []);
}
