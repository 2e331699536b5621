import type { StatementAnalysis } from '../engine/types.js';
import { forbidden, SqlErrors, sqlError } from './errors.js';
import { SYSTEM_SCHEMAS } from './statements/env.js';
import { clip } from './tokenizer.js';

/**
 * The sandbox policy over the engine's own analysis of a user statement (pure: no catalog access). What it
 * refuses and why is documented in docs/sql.md; the tests hold a table of refused and allowed statements.
 */

/** Table functions user SQL may call in FROM: generators only, none reads files or the system. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'range',
  'generate_series',
  'unnest',
  'json_each',
  'json_tree',
]);

/** Scalar functions refused by exact name: they read files, run SQL text, or reveal/alter the system. */
const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  'glob',
  'sniff_csv',
  'query',
  'query_table',
  'getenv',
  'current_setting',
  'getvariable',
  'which_secret',
  'json_execute_serialized_sql',
  'json_serialize_sql',
  'json_deserialize_sql',
  'json_serialize_plan',
  'load',
  'install',
  'export',
  'checkpoint',
  'force_checkpoint',
  'enable_logging',
  'disable_logging',
  'truncate_duckdb_logs',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'summary',
  'sql_auto_complete',
  'icu_calendar_names',
  'test_all_types',
  'test_vector_types',
  'stats',
]);

/** Name prefixes of refused functions (file readers, system views, extension entry points). */
const DENIED_PREFIXES = [
  'read_',
  'parquet_',
  'duckdb_',
  'pragma_',
  'sqlite_',
  'postgres_',
  'mysql_',
  'iceberg_',
  'delta_',
  'pg_',
  'has_',
  'scan_',
  'system_',
];

/** Name fragments of refused functions (`*_parquet_*`, `*_scan`, …). */
const DENIED_PARTS = ['parquet', '_scan', 'secret', 'extension', 'setting', 'sql_', 'file'];

/** True when a (possibly qualified) function name is refused anywhere in user SQL. */
export function isDeniedFunction(qualified: string): boolean {
  const parts = qualified.toLowerCase().split('.');
  const name = parts[parts.length - 1];
  if (parts.length > 1 && parts.slice(0, -1).some((p) => p !== 'main' && p !== 'pg_catalog')) return true;
  if (DENIED_FUNCTIONS.has(name)) return true;
  if (DENIED_PREFIXES.some((p) => name.startsWith(p))) return true;
  return DENIED_PARTS.some((p) => name.includes(p));
}

/** Refuses multi-statement text, non-queries, non-allowlisted table functions and denied functions. */
export function checkAnalysis(a: StatementAnalysis): void {
  if (a.statementCount === 0) throw sqlError(SqlErrors.SQL_SYNTAX, 'Query was empty');
  if (a.statementCount > 1)
    throw forbidden('Multiple statements in one query', 'send one statement at a time');
  if (!a.isQuery) throw forbidden('This statement', 'only queries (SELECT, WITH, VALUES) reach the engine');
  for (const f of a.tableFunctions) {
    const name = f.toLowerCase();
    if (!ALLOWED_TABLE_FUNCTIONS.has(name))
      throw forbidden(
        `Table function '${clip(name)}'`,
        `only ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')} may be called in FROM; read files through catalog tables`,
      );
  }
  for (const f of a.functions)
    if (isDeniedFunction(f))
      throw forbidden(
        `Function '${clip(f.toLowerCase())}'`,
        'it reads files or reveals or changes the system',
      );
}

/**
 * Checks a referenced table's name before it is looked up in the catalog: paths and file names (replacement
 * scans such as `FROM '/etc/passwd'` or `FROM 'x.csv'`), catalog-qualified names, system schemas and the
 * engine's own views are refused.
 */
export function checkTableName(schema: string | null, name: string): void {
  if (/[/\\]|\.[a-z0-9]{1,8}$|^~|:/i.test(name))
    throw forbidden(
      `Reading '${clip(name)}' by path`,
      'files are read through catalog tables (CREATE EXTERNAL TABLE)',
    );
  const s = schema?.toLowerCase() ?? null;
  if (s !== null && (s.includes('.') || SYSTEM_SCHEMAS.has(s)))
    throw forbidden(`Reading from '${clip(s)}'`, 'system schemas and catalogs are not readable');
  const n = name.toLowerCase();
  if (/^(duckdb_|pragma_|sqlite_|pg_)/.test(n) || n === 'information_schema')
    throw forbidden(`Reading '${clip(n)}'`, 'engine system views are not readable');
}
