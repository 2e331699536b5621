/**
 * Synchronous queries that carry hints (`query-timeout`, `force-persist-result`, `output-format`): rows stream to
 * the caller; with `force-persist-result` they are also written, batch by batch, to a result file under a task
 * row (see TaskService.runSync).
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Engine } from '../engine/types.js';
import { LakecastError, type RowBatch, type RowsResult } from '../shared/index.js';
import { type Hints, parseHints } from '../sql/hints.js';
import type { SessionContext } from '../sql/types.js';
import { batchEncoder } from './encode.js';
import { TaskErrors } from './errors.js';
import { asDiskFull, ResultBudget, type ResultLimits } from './result-budget.js';
import { errorText, resultKeyOf } from './statements.js';
import type { FinishFields, TerminalStatus } from './store/index.js';
import type { SubmitContext, TaskServiceDeps } from './types.js';

/** What the sync runner needs from the service. */
export interface SyncQueryEnv {
  readonly deps: TaskServiceDeps;
  readonly clock: () => number;
  /** Limits on the result file. */
  readonly limits: ResultLimits;
  /** Inserts the task row (durable) and returns its id. */
  insertTask(ctx: SubmitContext, sql: string, body: string, hints: Hints): Promise<string>;
  markRunning(id: string, now: number): Promise<boolean>;
  finish(id: string, status: TerminalStatus, fields: FinishFields): Promise<boolean>;
  deleteQuietly(key: string): Promise<void>;
}

/** Runs one hinted synchronous query (see the module comment). */
export async function runSyncQuery(
  env: SyncQueryEnv,
  ctx: SessionContext,
  sql: string,
  h: Hints,
  signal: AbortSignal,
): Promise<RowsResult> {
  const { body } = parseHints(sql);
  const timeoutMs = h.queryTimeoutSecs !== undefined ? h.queryTimeoutSecs * 1000 : undefined;
  if (!h.forcePersistResult) {
    const prepared = await env.deps.prepare(ctx, body);
    const r = await env.deps.engine.query(prepared.engineSql, {
      signal,
      timeoutMs,
      defaultSchema: ctx.database ?? undefined,
      scans: prepared.scans,
    });
    return { kind: 'rows', columns: r.columns, batches: r.batches };
  }
  const format = h.outputFormat ?? 'csv';
  if (format === 'parquet') {
    throw new LakecastError(TaskErrors.TASK_UNSUPPORTED, 'force-persist-result supports csv and json only');
  }
  if (h.clientToken !== undefined) {
    throw new LakecastError(
      TaskErrors.TASK_UNSUPPORTED,
      'client-token applies to async tasks (run-async=true)',
    );
  }
  const id = await env.insertTask(ctx, sql, body, h);
  const startedAt = env.clock();
  await env.markRunning(id, startedAt);
  const key = resultKeyOf(id, startedAt, format);
  const fail = async (err: unknown) => {
    await env.deleteQuietly(key);
    await env.finish(id, 'FAILURE', { message: errorText(err), elapse_time: env.clock() - startedAt });
  };
  let r: Awaited<ReturnType<Engine['query']>>;
  try {
    const prepared = await env.deps.prepare(ctx, body);
    r = await env.deps.engine.query(prepared.engineSql, {
      signal,
      timeoutMs,
      defaultSchema: ctx.database ?? undefined,
      scans: prepared.scans,
    });
  } catch (err) {
    await fail(err);
    throw err;
  }
  const result = r;
  const enc = batchEncoder(format, result.columns);
  const pass = new PassThrough();
  const store = env.deps.resultStore;
  const budget = new ResultBudget(env.limits, store.freeBytes?.bind(store));
  const put = store.put(key, pass).catch((err: unknown) => {
    throw asDiskFull(err, env.limits);
  });
  put.catch(() => {}); // observed below
  const write = async (chunk: string) => {
    budget.add(chunk);
    if (chunk && !pass.write(chunk)) await Promise.race([once(pass, 'drain'), put]);
  };
  async function* tee(): AsyncGenerator<RowBatch> {
    let done = false;
    try {
      await write(enc.header);
      for await (const batch of result.batches) {
        await write(enc.batch(batch));
        yield batch;
      }
      pass.end();
      const { size } = await put;
      const st = result.stats();
      await env.finish(id, 'SUCCESS', {
        row_count: st.rowsReturned,
        elapse_time: env.clock() - startedAt,
        scanned_row_count: st.scannedRows,
        scanned_data_bytes: st.scannedBytes,
        result_file_oss_file: env.deps.resultStore.uriOf(key),
        result_file_size: size,
        result_key: key,
        progress: 100,
      });
      done = true;
    } catch (err) {
      pass.destroy(err instanceof Error ? err : new Error(String(err)));
      await put.catch(() => {});
      await fail(err);
      done = true;
      throw err;
    } finally {
      if (!done) {
        // The caller stopped reading early: the file would be partial.
        result.cancel();
        pass.destroy(new Error('client stopped reading'));
        await put.catch(() => {});
        await fail(
          new LakecastError(TaskErrors.TASK_NO_RESULT, 'the client stopped reading before the last row'),
        );
      }
    }
  }
  return { kind: 'rows', columns: result.columns, batches: tee() };
}
