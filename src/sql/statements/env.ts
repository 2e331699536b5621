import {
  CatalogErrors,
  normalizeColumnName,
  normalizeSchemaName,
  normalizeTableName,
} from '../../catalog/index.js';
import type { SchemaRecord, TableDefinition } from '../../catalog/types.js';
import type { StatementAnalysis } from '../../engine/types.js';
import { LakecastError, type OkResult, type StatementResult } from '../../shared/index.js';
import { noDatabase, SqlErrors, sqlError, unknownDatabase, unknownTable } from '../errors.js';
import type { Token } from '../tokenizer.js';
import type { SessionContext, SqlFrontDeps } from '../types.js';

/** State shared by every session of one front. */
export interface FrontEnv {
  readonly deps: SqlFrontDeps;
  readonly startedAt: Date;
  /** The local directory each registered table reads, by `schema.table`. */
  readonly localDirs: Map<string, string>;
  /** Tables registered while their folder was empty (re-registered before the next query). */
  readonly emptyTables: Set<string>;
  /** LRU of the engine's analyses by engine SQL text (see query.ts). */
  readonly analyses: Map<string, StatementAnalysis>;
  /** Statements received since start (SHOW STATUS `Questions`). */
  questions: number;
}

/** One statement on its way through a handler. `tokens` exclude trailing semicolons. */
export interface StatementInput {
  readonly env: FrontEnv;
  readonly ctx: SessionContext;
  readonly sql: string;
  readonly tokens: readonly Token[];
  readonly signal: AbortSignal;
}

export type StatementHandler = (input: StatementInput) => Promise<StatementResult>;

export function ok(info?: string, affectedRows = 0): OkResult {
  return info === undefined ? { kind: 'ok', affectedRows } : { kind: 'ok', affectedRows, info };
}

/**
 * Engine and MySQL system schemas: never catalog schemas, never readable by user SQL.
 * `information_schema` is not emulated; SHOW statements cover the same metadata.
 */
export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set([
  'information_schema',
  'pg_catalog',
  'main',
  'temp',
  'system',
  'memory',
  'mysql',
  'performance_schema',
  'sys',
]);

/**
 * Validates and normalizes (NFC, lower case for databases and tables, `lower_case_table_names=1`) a name with
 * the catalog's rules; system schema names are refused. Throws LC_CATALOG_INVALID_*.
 */
export function normalizeName(name: string, kind: 'database' | 'table' | 'column'): string {
  if (kind === 'column') return normalizeColumnName(name);
  if (kind === 'table') return normalizeTableName(name);
  const lower = normalizeSchemaName(name);
  if (SYSTEM_SCHEMAS.has(lower))
    throw new LakecastError(
      CatalogErrors.CATALOG_INVALID_SCHEMA_NAME,
      `Incorrect database name '${lower}': reserved for the system`,
    );
  return lower;
}

/** Lower-cased lookup name; unlike {@link normalizeName} never throws (unknown names just do not resolve). */
export function lookupName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** The schema a possibly unqualified name refers to. Throws LC_SQL_NO_DATABASE when there is none. */
export function schemaOf(ctx: SessionContext, qualifier: string | null): string {
  if (qualifier !== null) return lookupName(qualifier);
  if (ctx.database === null) throw noDatabase();
  return ctx.database;
}

export async function requireSchema(env: FrontEnv, name: string): Promise<SchemaRecord> {
  const schema = SYSTEM_SCHEMAS.has(name) ? null : await env.deps.catalog.getSchema(name);
  if (!schema) throw unknownDatabase(name);
  return schema;
}

export async function requireTable(env: FrontEnv, schema: string, name: string): Promise<TableDefinition> {
  const table = await env.deps.catalog.getTable(schema, name);
  if (table) return table;
  await requireSchema(env, schema);
  throw unknownTable(schema, name);
}

/** MySQL's `'user'@'host'` spelling of the session's account. */
export function account(ctx: SessionContext): string {
  return `'${ctx.user.name}'@'%'`;
}

/** Throws LC_SQL_DB_ACCESS_DENIED unless the user may read the schema (existence is checked first). */
export async function requireRead(env: FrontEnv, ctx: SessionContext, schema: string): Promise<void> {
  await requireSchema(env, schema);
  if (!(await env.deps.auth.canRead(ctx.user, schema)))
    throw sqlError(
      SqlErrors.SQL_DB_ACCESS_DENIED,
      `Access denied for user ${account(ctx)} to database '${schema}'`,
    );
}

/** Key of {@link FrontEnv.localDirs}. */
export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}
