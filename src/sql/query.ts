import type { TableDefinition } from '../catalog/types.js';
import type { EngineResult, StatementAnalysis } from '../engine/types.js';
import type { Cell } from '../shared/index.js';
import { forbidden, SqlErrors, sqlError, unknownDatabase, unknownTable } from './errors.js';
import { rewriteQuery } from './rewrite.js';
import { checkAnalysis, checkTableName } from './sandbox.js';
import { account, type FrontEnv, lookupName, SYSTEM_SCHEMAS, schemaOf } from './statements/env.js';
import { refreshForQuery } from './statements/tables-ddl.js';
import { type Comment, clip, isKeyword, isPunct, type Token, tokenize } from './tokenizer.js';
import type { PreparedUserQuery, SessionContext } from './types.js';
import { serverVariables, variableValue } from './variables.js';

/** Leading keywords of statements that are engine queries. */
const QUERY_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE']);

/** True when the tokens start a query (`SELECT`, `WITH`, `VALUES`, `FROM`, `TABLE`, `(`…). */
export function isQueryStart(tokens: readonly Token[], at = 0): boolean {
  const t = tokens[at];
  if (isPunct(t, '(')) return true;
  return t?.kind === 'word' && QUERY_STARTS.has(t.value.toUpperCase());
}

/** Analyses kept per analysis shape (see {@link analysisShape}; repeated queries skip DuckDB's parser). */
const ANALYSIS_CACHE_SIZE = 512;

const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128
  );
}

/**
 * The text analyzed in place of `engineSql`: its plain numeric literals replaced by `0`, so that queries that
 * differ only in numbers (`LIMIT 10` / `LIMIT 20`, `id = 7` / `id = 8`) share one analysis. What the sandbox
 * decides from — statement kind and count, tables, table functions, functions — never depends on a number's
 * value. Only done when this lexer and DuckDB's surely agree on where literals, identifiers and comments are:
 * no backslash, no `$` (dollar quoting, `$1`), no quote doubled inside a literal, no `E'…'`; otherwise (and
 * when the text does not lex) the text itself is the shape.
 */
export function analysisShape(engineSql: string): string {
  if (engineSql.includes('\\') || engineSql.includes('$')) return engineSql;
  let tokens: readonly Token[];
  try {
    tokens = tokenize(engineSql).tokens;
  } catch {
    return engineSql;
  }
  let out = '';
  let last = 0;
  for (const t of tokens) {
    if (t.kind === 'string' || t.kind === 'qident') {
      const q = t.text[0]!;
      if ((t.kind === 'string' && q !== "'") || t.text.slice(1, -1).includes(q)) return engineSql;
      continue;
    }
    if (t.kind !== 'number' || t.text === '0' || !PLAIN_NUMBER.test(t.text)) continue;
    if (isWordChar(engineSql.charCodeAt(t.end))) return engineSql;
    out += `${engineSql.slice(last, t.start)}0`;
    last = t.end;
  }
  return last === 0 ? engineSql : out + engineSql.slice(last);
}

function remember(env: FrontEnv, key: string, analysis: StatementAnalysis): void {
  if (key.length > 64 * 1024) return;
  env.analyses.set(key, analysis);
  if (env.analyses.size > ANALYSIS_CACHE_SIZE)
    env.analyses.delete(env.analyses.keys().next().value as string);
}

async function analyzeCached(env: FrontEnv, engineSql: string): Promise<StatementAnalysis> {
  const shape = analysisShape(engineSql);
  const hit = env.analyses.get(shape);
  if (hit) {
    env.analyses.delete(shape); // re-insert: most recently used last
    env.analyses.set(shape, hit);
    return hit;
  }
  let analysis: StatementAnalysis;
  try {
    analysis = await env.deps.engine.analyze(shape);
  } catch (err) {
    if (shape === engineSql) throw err;
    // The user sees the error (or the analysis) of what they wrote, not of the shape.
    analysis = await env.deps.engine.analyze(engineSql);
    remember(env, engineSql, analysis);
    return analysis;
  }
  remember(env, shape, analysis);
  return analysis;
}

/** Resolves and authorizes every table the analysis found; returns their catalog definitions. */
async function resolveTables(
  env: FrontEnv,
  ctx: SessionContext,
  refs: readonly { schema: string | null; name: string }[],
): Promise<TableDefinition[]> {
  const out: TableDefinition[] = [];
  for (const ref of refs) {
    checkTableName(ref.schema, ref.name);
    const schema = schemaOf(ctx, ref.schema);
    const name = lookupName(ref.name);
    if (SYSTEM_SCHEMAS.has(schema))
      throw forbidden(`Reading from '${schema}'`, 'system schemas are not readable');
    if ((await env.deps.catalog.getSchema(schema)) === null) throw unknownDatabase(schema);
    if (!(await env.deps.auth.canRead(ctx.user, schema)))
      throw sqlError(
        SqlErrors.SQL_TABLE_ACCESS_DENIED,
        `SELECT command denied to user ${account(ctx)} for table '${clip(schema)}.${clip(name)}'`,
      );
    const def = await env.deps.catalog.getTable(schema, name);
    if (!def) throw unknownTable(schema, name);
    if (!out.some((d) => d.schema === def.schema && d.name === def.name)) out.push(def);
  }
  return out;
}

/**
 * The sandbox and the rewrites for one user query (tokens without trailing `;`): MySQL-isms and session values
 * rewritten, DuckDB's own parser asked what the statement touches, the policy applied, tables resolved
 * through the catalog and permissions, `s3://` tables refreshed.
 */
export async function sandboxQuery(
  env: FrontEnv,
  ctx: SessionContext,
  sql: string,
  tokens: readonly Token[],
): Promise<PreparedUserQuery> {
  const defaults = serverVariables(env.deps.serverVersion, env.deps.config.limits.maxPacketBytes);
  const engineSql = rewriteQuery(sql, tokens, {
    systemVariable: (n) => variableValue(ctx, defaults, n),
    userVariable: (n) => ctx.variables.get(`@${n}`) ?? null,
    database: ctx.database,
    user: ctx.user.name,
    connectionId: ctx.connectionId,
    serverVersion: env.deps.serverVersion,
  });
  const analysis = await analyzeCached(env, engineSql);
  checkAnalysis(analysis);
  const tables = await resolveTables(env, ctx, analysis.tables);
  for (const def of tables) await refreshForQuery(env, def);
  const scans = analysis.tables.length > 0 || analysis.tableFunctions.length > 0;
  return { engineSql, tables, defaultSchema: ctx.database, scans };
}

/** `EXPLAIN [ANALYZE] <query>` / `DESCRIBE <query>`: the inner query is sandboxed, the prefix kept. */
export async function sandboxExplain(
  env: FrontEnv,
  ctx: SessionContext,
  sql: string,
  tokens: readonly Token[],
): Promise<PreparedUserQuery> {
  let at = 1;
  let prefix = 'EXPLAIN ';
  if (isKeyword(tokens[1], 'ANALYZE')) {
    at = 2;
    prefix = 'EXPLAIN ANALYZE ';
  }
  const inner = tokens.slice(at);
  const innerSql = sql.slice(inner[0].start);
  const shifted = inner.map((t) => ({ ...t, start: t.start - inner[0].start, end: t.end - inner[0].start }));
  const q = await sandboxQuery(env, ctx, innerSql, shifted);
  return { ...q, engineSql: prefix + q.engineSql };
}

/**
 * A statement's timeout: the server's `limits.queryTimeoutMs`, lowered by MySQL's `MAX_EXECUTION_TIME(ms)`
 * optimizer hint when the statement has one, else by the session's `max_execution_time` (milliseconds; 0 or
 * unset = the server's). 0 = none.
 */
export function sessionTimeoutMs(serverMs: number, ctx: SessionContext, hintMs?: number): number {
  const own = hintMs ?? Number(ctx.variables.get('max_execution_time') ?? 0);
  if (!(own > 0)) return serverMs;
  return serverMs > 0 ? Math.min(serverMs, own) : own;
}

/**
 * MySQL's statement timeout hint, `SELECT /*+ MAX_EXECUTION_TIME(1000) *\/ …` (in a hint comment right after the
 * leading SELECT, where MySQL reads it): its milliseconds, else undefined. MySQL's other optimizer hints are
 * advice about index and join choices that DuckDB makes itself; they stay comments.
 */
export function maxExecutionTimeHint(
  tokens: readonly Token[],
  comments: readonly Comment[],
): number | undefined {
  const [first, second] = tokens;
  if (!first || !isKeyword(first, 'SELECT')) return undefined;
  for (const c of comments) {
    if (c.start < first.end || (second && c.start > second.start)) continue;
    const m = /^\/\*\+[\s\S]*?\bMAX_EXECUTION_TIME\s*\(\s*(\d{1,10})\s*\)/i.exec(c.text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Runs a sandboxed query with the session's limits: timeout, default schema, cancellation, parameters. */
export function runEngineQuery(
  env: FrontEnv,
  ctx: SessionContext,
  prepared: Pick<PreparedUserQuery, 'engineSql' | 'scans'>,
  signal: AbortSignal,
  params?: readonly Cell[],
  hintTimeoutMs?: number,
): Promise<EngineResult> {
  return env.deps.engine.query(prepared.engineSql, {
    signal,
    timeoutMs: sessionTimeoutMs(env.deps.config.limits.queryTimeoutMs, ctx, hintTimeoutMs),
    scans: prepared.scans,
    ...(ctx.database === null ? {} : { defaultSchema: ctx.database }),
    ...(params === undefined || params.length === 0 ? {} : { params }),
  });
}
