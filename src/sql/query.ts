import type { TableDefinition } from '../catalog/types.js';
import type { EngineResult, StatementAnalysis } from '../engine/types.js';
import type { Cell } from '../shared/index.js';
import { forbidden, SqlErrors, sqlError, unknownDatabase, unknownTable } from './errors.js';
import { rewriteQuery } from './rewrite.js';
import { checkAnalysis, checkTableName } from './sandbox.js';
import { account, type FrontEnv, lookupName, SYSTEM_SCHEMAS, schemaOf } from './statements/env.js';
import { refreshForQuery } from './statements/tables-ddl.js';
import { clip, isKeyword, isPunct, type Token } from './tokenizer.js';
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

/** Analyses kept per engine SQL text (the analysis is a pure function of the text; repeated queries skip it). */
const ANALYSIS_CACHE_SIZE = 512;

async function analyzeCached(env: FrontEnv, engineSql: string): Promise<StatementAnalysis> {
  const hit = env.analyses.get(engineSql);
  if (hit) {
    env.analyses.delete(engineSql); // re-insert: most recently used last
    env.analyses.set(engineSql, hit);
    return hit;
  }
  const analysis = await env.deps.engine.analyze(engineSql);
  if (engineSql.length <= 64 * 1024) {
    env.analyses.set(engineSql, analysis);
    if (env.analyses.size > ANALYSIS_CACHE_SIZE)
      env.analyses.delete(env.analyses.keys().next().value as string);
  }
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
  return { engineSql, tables, defaultSchema: ctx.database };
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

/** Runs a sandboxed query with the session's limits: timeout, default schema, cancellation, parameters. */
export function runEngineQuery(
  env: FrontEnv,
  ctx: SessionContext,
  engineSql: string,
  signal: AbortSignal,
  params?: readonly Cell[],
): Promise<EngineResult> {
  return env.deps.engine.query(engineSql, {
    signal,
    timeoutMs: env.deps.config.limits.queryTimeoutMs,
    ...(ctx.database === null ? {} : { defaultSchema: ctx.database }),
    ...(params === undefined || params.length === 0 ? {} : { params }),
  });
}
