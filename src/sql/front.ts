import { performance } from 'node:perf_hooks';
import type { EngineResult, QueryStats } from '../engine/types.js';
import type { PreparedStatementInfo } from '../mysql-protocol/types.js';
import {
  type Cell,
  type LakecastError,
  type RowBatch,
  type StatementResult,
  textColumn,
  toLakecastError,
} from '../shared/index.js';
import { route } from './dispatch.js';
import { forbidden } from './errors.js';
import { ASYNC_TASK_ID_COLUMN, hasHints, parseHints } from './hints.js';
import { maskSecrets } from './mask.js';
import { bindLiterals, checkParamCount, countPlaceholders } from './params.js';
import { isQueryStart, maxExecutionTimeHint, runEngineQuery, sandboxExplain, sandboxQuery } from './query.js';
import type { FrontEnv } from './statements/env.js';
import { useDatabase } from './statements/session.js';
import { registerInEngine } from './statements/tables-ddl.js';
import { tokenize, withoutTrailingSemicolons } from './tokenizer.js';
import type { SessionContext, SessionInfo, SqlFront, SqlFrontDeps, SqlSession } from './types.js';

const ZERO: QueryStats = { rowsReturned: 0, scannedRows: 0, scannedBytes: 0, elapsedMs: 0 };

/**
 * The engine's batches, reporting once when they end (last batch, error, or the consumer stopping early).
 * Stopping early — even before the first `next()` — cancels the engine query so its connection is released.
 */
function reportingBatches(
  res: EngineResult,
  onEnd: (stats: QueryStats, err?: LakecastError) => void,
): AsyncIterable<RowBatch> {
  return {
    [Symbol.asyncIterator]() {
      const it = res.batches[Symbol.asyncIterator]();
      let ended = false;
      const end = (err?: LakecastError) => {
        if (ended) return;
        ended = true;
        onEnd(res.stats(), err);
      };
      return {
        async next() {
          try {
            const r = await it.next();
            if (r.done) end();
            return r;
          } catch (err) {
            const e = toLakecastError(err);
            res.cancel();
            end(e);
            throw e;
          }
        },
        async return() {
          res.cancel();
          end();
          await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/**
 * Creates the statement front: every statement of every session (MySQL protocol or HTTP) goes through it.
 * Extensions are tried first, then the front's own statements; queries go to the engine after the sandbox.
 */
export function createSqlFront(deps: SqlFrontDeps): SqlFront {
  const env: FrontEnv = {
    deps,
    startedAt: new Date(),
    localDirs: new Map(),
    emptyTables: new Set(),
    analyses: new Map(),
    questions: 0,
  };
  const log = deps.logger;

  function report(
    ctx: SessionContext,
    sql: string,
    kind: string,
    t0: number,
    stats: QueryStats,
    err?: LakecastError,
  ) {
    const elapsedMs = Math.round(performance.now() - t0);
    // After the answer: the reply is written in this turn of the loop, the bookkeeping below (masking, logs,
    // the metrics' label lookups) cost ~36 µs per statement in front of it (profile of paced async submits).
    setImmediate(() => recordFinished(ctx, sql, kind, elapsedMs, stats, err));
  }

  function recordFinished(
    ctx: SessionContext,
    sql: string,
    kind: string,
    elapsedMs: number,
    stats: QueryStats,
    err?: LakecastError,
  ) {
    if (err && err.code === 'LC_INTERNAL')
      log.error(
        { err: err.cause, connectionId: ctx.connectionId, sql: maskSecrets(sql).slice(0, 2000) },
        'statement failed',
      );
    if (!err && (kind === 'ddl' || kind === 'user'))
      log.info(
        { connectionId: ctx.connectionId, user: ctx.user.name, sql: maskSecrets(sql).slice(0, 2000) },
        kind,
      );
    if (!deps.onQueryFinished) return;
    try {
      deps.onQueryFinished({
        connectionId: ctx.connectionId,
        user: ctx.user.name,
        database: ctx.database,
        sql: maskSecrets(sql),
        kind,
        ok: err === undefined,
        ...(err ? { errorCode: err.code } : {}),
        stats: { ...stats, elapsedMs },
      });
    } catch (e) {
      log.warn({ err: e }, 'onQueryFinished listener failed');
    }
  }

  /** Runs one statement; `params` only for COM_STMT_EXECUTE. Reports when the last row has been streamed. */
  async function run(
    ctx: SessionContext,
    sql: string,
    signal: AbortSignal,
    params?: readonly Cell[],
  ): Promise<StatementResult> {
    if (params !== undefined && hasHints(sql)) {
      // Hints act on the statement's text (an async submit keeps it as the task's command): a hinted
      // COM_STMT_EXECUTE binds its parameters as literals and runs as that text would over COM_QUERY.
      const tokens = withoutTrailingSemicolons(tokenize(sql).tokens);
      checkParamCount(countPlaceholders(tokens), params);
      return run(ctx, bindLiterals(sql, tokens, params), signal);
    }
    const t0 = performance.now();
    env.questions++;
    let kind = 'statement';
    try {
      if (params === undefined)
        for (const ext of deps.extensions ?? []) {
          const r = await ext.tryHandle(ctx, sql, signal);
          if (r) {
            report(ctx, sql, 'extension', t0, ZERO);
            return r;
          }
        }
      const lexed = tokenize(sql);
      const tokens = withoutTrailingSemicolons(lexed.tokens);
      if (tokens.length === 0 && lexed.comments.length > 0) {
        // Only comments (the mariadb CLI with -c sends comment lines alone): nothing to do, as MariaDB.
        report(ctx, sql, 'comment', t0, ZERO);
        return { kind: 'ok', affectedRows: 0 };
      }
      if (params !== undefined) checkParamCount(countPlaceholders(tokens), params);
      const r = route({ tokens, sql });
      if (r.kind === 'statement') {
        kind = r.family;
        if (params !== undefined && params.length > 0)
          return await run(ctx, bindLiterals(sql, tokens, params), signal);
        const result = await r.run({ env, ctx, sql, tokens, signal });
        report(ctx, sql, kind, t0, ZERO);
        return result;
      }
      kind = 'query';
      const prepared =
        r.kind === 'explain'
          ? await sandboxExplain(env, ctx, sql, tokens)
          : await sandboxQuery(env, ctx, sql, tokens);
      const hintMs = maxExecutionTimeHint(tokens, lexed.comments);
      const res = await runEngineQuery(env, ctx, prepared, signal, params, hintMs);
      return {
        kind: 'rows',
        columns: res.columns,
        batches: reportingBatches(res, (stats, err) => report(ctx, sql, kind, t0, stats, err)),
      };
    } catch (err) {
      const e = toLakecastError(err);
      report(ctx, sql, kind, t0, ZERO, e);
      throw e;
    }
  }

  async function prepare(ctx: SessionContext, sql: string): Promise<PreparedStatementInfo> {
    const tokens = withoutTrailingSemicolons(tokenize(sql).tokens);
    const paramCount = countPlaceholders(tokens);
    // A bad hint fails at prepare; a run-async statement answers its task id (see run()).
    if (hasHints(sql) && parseHints(sql).hints.runAsync)
      return { paramCount, columns: [textColumn(ASYNC_TASK_ID_COLUMN)] };
    const r = route({ tokens, sql });
    if (r.kind !== 'query') return { paramCount, columns: [] };
    const prepared = await sandboxQuery(env, ctx, sql, tokens);
    const described = await deps.engine.describe(
      prepared.engineSql,
      ctx.database === null ? {} : { defaultSchema: ctx.database },
    );
    return { paramCount, columns: described.columns };
  }

  async function openSession(info: SessionInfo): Promise<SqlSession> {
    const ctx: SessionContext = {
      connectionId: info.connectionId,
      user: info.user,
      database: null,
      remoteAddress: info.remoteAddress,
      variables: new Map(),
    };
    if (info.database) await useDatabase({ env, ctx, signal: new AbortController().signal }, info.database);
    return {
      context: ctx,
      query: (sql, signal) => run(ctx, sql, signal),
      useDatabase: async (name) => {
        try {
          await useDatabase({ env, ctx, signal: new AbortController().signal }, name);
        } catch (err) {
          throw toLakecastError(err);
        }
      },
      prepare: async (sql) => {
        try {
          return await prepare(ctx, sql);
        } catch (err) {
          throw toLakecastError(err);
        }
      },
      execute: (sql, params, signal) => run(ctx, sql, signal, params),
      close: async () => {},
    };
  }

  async function loadTables(): Promise<void> {
    for (const schema of await deps.catalog.listSchemas()) {
      try {
        await deps.engine.ensureSchema(schema.name);
      } catch (err) {
        log.warn({ err, schema: schema.name }, 'schema could not be created in the engine');
        continue;
      }
      for (const def of await deps.catalog.listTables(schema.name)) {
        try {
          await registerInEngine(env, def);
        } catch (err) {
          log.warn(
            { err, table: `${def.schema}.${def.name}` },
            'table could not be registered in the engine',
          );
        }
      }
    }
  }

  async function prepareUserQuery(ctx: SessionContext, sql: string) {
    const tokens = withoutTrailingSemicolons(tokenize(sql).tokens);
    if (!isQueryStart(tokens)) {
      route({ tokens, sql }); // throws the same error a synchronous statement would
      const first = tokens[0];
      const what = first?.kind === 'word' ? first.value.toUpperCase() : 'This statement';
      throw forbidden(
        what,
        'only queries (SELECT, WITH, VALUES) run with the run-async or force-persist-result hint',
      );
    }
    return sandboxQuery(env, ctx, sql, tokens);
  }

  return { openSession, loadTables, prepareUserQuery };
}
