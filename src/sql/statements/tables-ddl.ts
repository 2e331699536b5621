import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { TableDefinition } from '../../catalog/types.js';
import type { StatementResult } from '../../shared/index.js';
import { Cursor } from '../cursor.js';
import { SqlErrors, sqlError } from '../errors.js';
import { mayDrop } from './databases.js';
import {
  account,
  type FrontEnv,
  lookupName,
  ok,
  requireSchema,
  requireTable,
  type StatementInput,
  schemaOf,
  tableKey,
} from './env.js';
import { parseCreateExternalTable } from './external-table-parser.js';

/** True when the folder (recursively) holds a file the table's reader would read. */
async function hasFiles(def: TableDefinition, dir: string): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries)
    if (e.isFile() && (def.format !== 'PARQUET' || e.name.endsWith('.parquet'))) return true;
  for (const e of entries) if (e.isDirectory() && (await hasFiles(def, path.join(dir, e.name)))) return true;
  return false;
}

/** Registers a table over `dir` and remembers whether it was empty then (see {@link refreshForQuery}). */
async function register(env: FrontEnv, def: TableDefinition, dir: string): Promise<void> {
  const key = tableKey(def.schema, def.name);
  await env.deps.engine.registerTable(def, dir);
  env.localDirs.set(key, dir);
  if (await hasFiles(def, dir)) env.emptyTables.delete(key);
  else env.emptyTables.add(key);
}

/** Resolves a table's location to a local directory and (re-)registers it in the engine. */
export async function registerInEngine(env: FrontEnv, def: TableDefinition): Promise<string> {
  const dir = await env.deps.resolveLocation(def.location);
  await register(env, def, dir);
  return dir;
}

/**
 * Before a query reads a table: `s3://` locations are re-resolved (the object store layer syncs new objects
 * into the cache) and re-registered; `file://` tables are re-registered only when they were registered over
 * an empty folder (the engine registers those as an empty SELECT) or never registered. New files and
 * partition folders of a non-empty table are seen anyway: the engine's view globs the folder at query time.
 */
export async function refreshForQuery(env: FrontEnv, def: TableDefinition): Promise<void> {
  const key = tableKey(def.schema, def.name);
  const s3 = def.location.toLowerCase().startsWith('s3://');
  if (!s3 && env.localDirs.has(key) && !env.emptyTables.has(key)) return;
  await registerInEngine(env, def);
}

function denied(input: StatementInput, what: string, schema: string) {
  return sqlError(
    SqlErrors.SQL_DB_ACCESS_DENIED,
    `Access denied for user ${account(input.ctx)} to database '${schema}' (${what})`,
  );
}

/**
 * CREATE [EXTERNAL] TABLE …: parsed, permission checked (CREATE on the schema), location checked against the
 * file roots (through resolveLocation), persisted in the catalog, then registered in the engine. If the engine
 * cannot register it (unreadable files, bad options) the catalog entry is removed again.
 */
export async function handleCreateTable(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  const parsed = parseCreateExternalTable(c);
  const schema = parsed.schema ?? schemaOf(ctx, null);
  await requireSchema(env, schema);
  if (!(await env.deps.auth.canCreate(ctx.user, schema)))
    throw denied(input, 'CREATE needs the CREATE privilege', schema);
  const dir = await env.deps.resolveLocation(parsed.location);
  const { kind: _kind, ifNotExists, schema: _schema, ...rest } = parsed;
  const def: Omit<TableDefinition, 'createdAt'> = { ...rest, schema, owner: ctx.user.name };
  const created = await env.deps.catalog.createTable(def, { ifNotExists });
  if (!created) return ok();
  const stored = (await env.deps.catalog.getTable(schema, parsed.name)) ?? { ...def, createdAt: new Date() };
  try {
    await register(env, stored, dir);
  } catch (err) {
    await env.deps.catalog.dropTable(schema, parsed.name, { ifExists: true });
    throw err;
  }
  return ok();
}

/** DROP TABLE [IF EXISTS] [db.]t [, …]: removes the definition; the files stay (external tables). */
export async function handleDropTable(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('DROP');
  c.acceptWords('EXTERNAL');
  c.expectWords('TABLE');
  const ifExists = c.acceptWords('IF', 'EXISTS');
  const names: [string, string][] = [];
  do {
    const [q, n] = c.qualifiedName();
    names.push([schemaOf(ctx, q), lookupName(n)]);
  } while (c.acceptPunct(','));
  c.acceptOneOf('PURGE', 'CASCADE', 'RESTRICT');
  c.end();
  let dropped = 0;
  for (const [schema, name] of names) {
    if (!ifExists) await requireTable(env, schema, name);
    if (!(await mayDrop(env, ctx.user, schema))) throw denied(input, 'DROP needs the DROP privilege', schema);
    if (await env.deps.catalog.dropTable(schema, name, { ifExists })) {
      await env.deps.engine.unregisterTable(schema, name);
      env.localDirs.delete(tableKey(schema, name));
      env.emptyTables.delete(tableKey(schema, name));
      dropped++;
    }
  }
  return ok(undefined, dropped);
}

/** MSCK REPAIR TABLE t: re-reads the location so new hive partition folders become visible. */
export async function handleMsck(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('MSCK');
  c.acceptWords('REPAIR');
  c.expectWords('TABLE');
  const [q, n] = c.qualifiedName();
  c.end();
  const schema = schemaOf(ctx, q);
  const def = await requireTable(env, schema, lookupName(n));
  if (!(await env.deps.auth.canRead(ctx.user, schema)))
    throw denied(input, 'MSCK needs the SELECT privilege', schema);
  const dir = await registerInEngine(env, def);
  const partitions =
    def.partitionColumns.length > 0
      ? await env.deps.engine.listPartitions(
          dir,
          def.partitionColumns.map((x) => x.name),
        )
      : [];
  return ok(`Partitions found: ${partitions.length}`);
}
