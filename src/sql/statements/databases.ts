import type { AuthUser } from '../../auth/types.js';
import { type Cell, rowsResult, type StatementResult, textColumn } from '../../shared/index.js';
import { Cursor } from '../cursor.js';
import { renderCreateDatabase } from '../ddl-render.js';
import { SqlErrors, sqlError, unknownDatabase } from '../errors.js';
import { filterRows } from '../filter.js';
import {
  account,
  type FrontEnv,
  lookupName,
  normalizeName,
  ok,
  requireRead,
  type StatementInput,
  tableKey,
} from './env.js';

/** Whether a user may drop a schema or its tables (admins, or DROP/ALL on it or on `*`). */
export async function mayDrop(env: FrontEnv, user: AuthUser, schema: string): Promise<boolean> {
  return env.deps.auth.canDrop(user, schema);
}

function denied(input: StatementInput, what: string, schema: string) {
  return sqlError(
    SqlErrors.SQL_DB_ACCESS_DENIED,
    `Access denied for user ${account(input.ctx)} to database '${schema}' (${what} needs the ${what.split(' ')[0]} privilege)`,
  );
}

/** MySQL's `[DEFAULT] CHARACTER SET|CHARSET|COLLATE [=] x` options: accepted and ignored (everything is UTF-8). */
function skipCharsetOptions(c: Cursor): void {
  for (;;) {
    const save = c.pos;
    c.acceptWords('DEFAULT');
    if (c.acceptWords('CHARACTER', 'SET') || c.acceptOneOf('CHARSET', 'COLLATE') !== null) {
      c.acceptPunct('=');
      c.nameOrString('a character set or collation');
    } else {
      c.pos = save;
      return;
    }
  }
}

/** CREATE DATABASE|SCHEMA [IF NOT EXISTS] x [COMMENT [=] '…']. Needs CREATE on the schema (or `*.*`). */
export async function handleCreateDatabase(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('CREATE');
  c.acceptOneOf('DATABASE', 'SCHEMA');
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const name = normalizeName(c.name('a database name'), 'database');
  let comment: string | undefined;
  skipCharsetOptions(c);
  if (c.acceptWords('COMMENT')) {
    c.acceptPunct('=');
    const at = c.pos;
    comment = c.string('a quoted comment');
    if (comment.length > 1024) throw c.error('comment longer than 1024 characters', at);
  }
  skipCharsetOptions(c);
  c.end();
  if (!(await env.deps.auth.canCreate(ctx.user, name))) throw denied(input, 'CREATE DATABASE', name);
  const created = await env.deps.catalog.createSchema(
    { name, owner: ctx.user.name, ...(comment === undefined ? {} : { comment }) },
    { ifNotExists },
  );
  await env.deps.engine.ensureSchema(name);
  return ok(undefined, created ? 1 : 0);
}

/** DROP DATABASE|SCHEMA [IF EXISTS] x [CASCADE|RESTRICT]: without CASCADE only an empty schema. */
export async function handleDropDatabase(input: StatementInput): Promise<StatementResult> {
  const { env, ctx } = input;
  const c = new Cursor(input.tokens, input.sql);
  c.expectWords('DROP');
  c.acceptOneOf('DATABASE', 'SCHEMA');
  const ifExists = c.acceptWords('IF', 'EXISTS');
  const name = lookupName(c.name('a database name'));
  const cascade = c.acceptOneOf('CASCADE', 'RESTRICT') === 'CASCADE';
  c.end();
  const exists = (await env.deps.catalog.getSchema(name)) !== null;
  if (exists && !(await mayDrop(env, ctx.user, name))) throw denied(input, 'DROP DATABASE', name);
  const tables = exists ? await env.deps.catalog.listTables(name) : [];
  const dropped = await env.deps.catalog.dropSchema(name, { ifExists, cascade });
  if (dropped) {
    await env.deps.engine.dropSchema(name);
    for (const t of tables) {
      env.localDirs.delete(tableKey(t.schema, t.name));
      env.emptyTables.delete(tableKey(t.schema, t.name));
    }
    if (ctx.database === name) ctx.database = null;
  }
  return ok(undefined, dropped ? tables.length : 0);
}

/** SHOW DATABASES|SCHEMAS [LIKE …|WHERE …]: the schemas the user may read (no information_schema). */
export async function showDatabases(input: StatementInput, c: Cursor): Promise<StatementResult> {
  const { env, ctx } = input;
  const rows: Cell[][] = [];
  for (const s of await env.deps.catalog.listSchemas())
    if (await env.deps.auth.canRead(ctx.user, s.name)) rows.push([s.name]);
  rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return rowsResult([textColumn('Database')], filterRows(c, ['Database'], rows));
}

/** SHOW CREATE DATABASE|SCHEMA [IF NOT EXISTS] x. */
export async function showCreateDatabase(input: StatementInput, c: Cursor): Promise<StatementResult> {
  c.acceptWords('IF', 'NOT', 'EXISTS');
  const name = lookupName(c.name('a database name'));
  c.end();
  await requireRead(input.env, input.ctx, name);
  const schema = await input.env.deps.catalog.getSchema(name);
  if (!schema) throw unknownDatabase(name); // raced with a DROP
  return rowsResult(
    [textColumn('Database'), textColumn('Create Database')],
    [[name, renderCreateDatabase(schema)]],
  );
}
