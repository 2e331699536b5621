/**
 * The SQL front's statement extensions for async tasks (registered through `SqlFrontDeps.extensions`):
 *  - `tasks:hint`: a statement with a leading hint comment. `run-async=true` submits it and answers at once with
 *    the one-row, one-column result `ASYNC_TASK_ID`; a sync query with `query-timeout` / `force-persist-result`
 *    runs here with those applied; other hints without `run-async` are an error (never silently ignored).
 *  - `tasks:show-query-task`: SHOW [FULL] QUERY_TASK [FOR 'user'] [WHERE …] [ORDER BY …] [LIMIT …].
 *  - `tasks:kill-task`: KILL [QUERY] 'task-id' (or "task-id"). Numeric KILL is the front's.
 */
import {
  type Cell,
  CommonErrors,
  LakecastError,
  type RowBatch,
  rowsResult,
  textColumn,
} from '../../shared/index.js';
import { TASK_COLUMNS, taskRowCells } from '../../tasks/columns.js';
import { TaskErrors } from '../../tasks/errors.js';
import { TASK_ID_PATTERN } from '../../tasks/ids.js';
import type { TaskService } from '../../tasks/service.js';
import type { TaskColumn, TaskListOptions } from '../../tasks/store/index.js';
import { HintErrors, hasHints, parseHints } from '../hints.js';
import type { SessionContext, StatementExtension } from '../types.js';
import { isKillTask, isShowQueryTask, parseKillTask, parseShowQueryTask } from './parser.js';
import { compileCondition, statusesAdmitted, taskColumn } from './where.js';

/** Dependencies of {@link createAsyncTaskExtensions}. */
export interface AsyncTaskExtensionDeps {
  readonly tasks: TaskService;
  /** The catalog's dialect (LIKE compiles to ILIKE on PostgreSQL). */
  readonly dialect: 'sqlite' | 'postgres';
}

/**
 * Rows fetched from the catalog per page while streaming SHOW QUERY_TASK; the event loop turns between pages.
 * 250 rows are ~4 ms of encoding on the test VM: with 1,000, another client's COM_PING waited up to 66 ms while a
 * 100,000-row SHOW streamed, with 250 up to 30 ms, for the same total time.
 */
export const SHOW_PAGE_SIZE = 250;

/** Column of the submit answer, as DLA names it. */
export const ASYNC_TASK_ID_COLUMN = 'ASYNC_TASK_ID';

/** `tasks:hint` — see the module comment. */
export function createHintExtension(deps: AsyncTaskExtensionDeps): StatementExtension {
  return {
    name: 'tasks:hint',
    async tryHandle(ctx, sql, signal) {
      if (!hasHints(sql)) return null;
      const { hints } = parseHints(sql);
      if (hints.runAsync) {
        const id = await deps.tasks.submit(ctx, sql, hints);
        return rowsResult([textColumn(ASYNC_TASK_ID_COLUMN)], [[id]]);
      }
      const asyncOnly = (
        [
          'clientToken',
          'mqNotifyBy',
          'mqTopic',
          'mqQueue',
          'mqProducerId',
          'mqEndpoint',
          'mqThresholdSecs',
          'mqOn',
        ] as const
      ).filter((k) => hints[k] !== undefined);
      if (asyncOnly.length > 0) {
        throw new LakecastError(
          HintErrors.HINT_INVALID,
          `Invalid hint: ${asyncOnly.map(kebab).join(', ')} need run-async=true`,
        );
      }
      if (hints.outputFormat !== undefined && !hints.forcePersistResult) {
        throw new LakecastError(
          HintErrors.HINT_INVALID,
          'Invalid hint: output-format needs run-async=true or force-persist-result=true',
        );
      }
      if (hints.forcePersistResult || hints.queryTimeoutSecs !== undefined) {
        return deps.tasks.runSync(ctx, sql, hints, signal);
      }
      return null; // e.g. `/*+ run-async=false */`: an ordinary statement, the front runs it
    },
  };
}

function kebab(prop: string): string {
  return prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `tasks:show-query-task` — see the module comment. */
export function createShowQueryTaskExtension(deps: AsyncTaskExtensionDeps): StatementExtension {
  return {
    name: 'tasks:show-query-task',
    async tryHandle(ctx, sql) {
      if (!isShowQueryTask(sql)) return null;
      const options = showOptions(ctx, sql, deps.dialect);
      const limit = options.limit;
      const first = await deps.tasks.store.list({
        ...options,
        limit: Math.min(SHOW_PAGE_SIZE, limit ?? SHOW_PAGE_SIZE),
      });
      const store = deps.tasks.store;
      /*
       * Pages after the first. In the default order, by keyset (after the last row sent): each page costs what it
       * returns. Under an ORDER BY of the user's (any column, often not indexed), one sorted read of the remaining
       * ids, then the rows by id, a page at a time: OFFSET pages sorted everything again for each page (26 s for a
       * 100,000-task SHOW … ORDER BY update_time). Catalog reads are synchronous on SQLite: the event loop gets a
       * turn between pages, so one long SHOW never holds up the other clients.
       */
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      async function* batches(): AsyncGenerator<RowBatch> {
        if (first.length > 0) yield first.map(taskRowCells) as Cell[][];
        let sent = first.length;
        if (first.length < SHOW_PAGE_SIZE || (limit !== undefined && sent >= limit)) return;
        await turn();
        if (options.orderBy !== undefined) {
          const ids = await store.listIds({
            ...options,
            offset: (options.offset ?? 0) + sent,
            limit: limit === undefined ? undefined : limit - sent,
          });
          for (let i = 0; i < ids.length; i += SHOW_PAGE_SIZE) {
            if (i > 0) await turn();
            const chunk = ids.slice(i, i + SHOW_PAGE_SIZE);
            const byId = new Map((await store.getMany(chunk)).map((t) => [t.id, t]));
            const rows = chunk.flatMap((id) => {
              const t = byId.get(id);
              return t ? [taskRowCells(t) as Cell[]] : [];
            });
            if (rows.length > 0) yield rows;
          }
          return;
        }
        let page = first;
        for (;;) {
          const pageLimit = Math.min(SHOW_PAGE_SIZE, limit === undefined ? SHOW_PAGE_SIZE : limit - sent);
          const last = page[page.length - 1]!;
          page = await store.list({
            ...options,
            offset: undefined,
            after: { create_time: last.create_time, id: last.id },
            limit: pageLimit,
          });
          if (page.length > 0) yield page.map(taskRowCells) as Cell[][];
          sent += page.length;
          if (page.length < pageLimit || (limit !== undefined && sent >= limit)) return;
          await turn();
        }
      }
      return { kind: 'rows', columns: TASK_COLUMNS, batches: batches() };
    },
  };
}

/**
 * The store query of a SHOW QUERY_TASK statement for `ctx`'s user: own tasks only, unless an admin says FULL
 * (everyone's) or FOR 'user'. Exported for tests.
 */
export function showOptions(
  ctx: Pick<SessionContext, 'user'>,
  sql: string,
  dialect: 'sqlite' | 'postgres',
): TaskListOptions {
  const stmt = parseShowQueryTask(sql);
  if ((stmt.full || stmt.forUser !== null) && !ctx.user.admin) {
    throw new LakecastError(
      CommonErrors.FORBIDDEN,
      `Access denied; SHOW ${stmt.full ? 'FULL ' : ''}QUERY_TASK${stmt.forUser !== null ? ' FOR' : ''} shows other users' tasks and needs the admin privilege`,
    );
  }
  const creator = stmt.forUser ?? (stmt.full ? undefined : ctx.user.name);
  const orderBy = stmt.orderBy.map((o) => ({
    column: taskColumn(o.column, 'order clause') as TaskColumn,
    direction: o.direction,
  }));
  const statuses = stmt.where ? statusesAdmitted(stmt.where) : null;
  return {
    creator,
    where: stmt.where ? compileCondition(stmt.where, dialect) : undefined,
    unfinishedOnly:
      statuses !== null && statuses.length > 0 && statuses.every((s) => s === 'QUEUED' || s === 'RUNNING'),
    orderBy: orderBy.length > 0 ? orderBy : undefined,
    limit: stmt.limit ?? undefined,
    offset: stmt.offset,
  };
}

/** `tasks:kill-task` — see the module comment. */
export function createKillTaskExtension(deps: AsyncTaskExtensionDeps): StatementExtension {
  return {
    name: 'tasks:kill-task',
    async tryHandle(ctx, sql) {
      if (!isKillTask(sql)) return null;
      const { taskId } = parseKillTask(sql);
      if (!TASK_ID_PATTERN.test(taskId)) {
        throw new LakecastError(TaskErrors.TASK_NOT_FOUND, `Unknown task id: ${taskId.slice(0, 40)}`);
      }
      await deps.tasks.cancel(taskId, ctx.user);
      return { kind: 'ok', affectedRows: 0 };
    },
  };
}

/** The three extensions, in the order the front should try them. */
export function createAsyncTaskExtensions(deps: AsyncTaskExtensionDeps): StatementExtension[] {
  return [createHintExtension(deps), createShowQueryTaskExtension(deps), createKillTaskExtension(deps)];
}
