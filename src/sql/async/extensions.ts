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
import {
  readInPages,
  TASK_STATUSES,
  type TaskColumn,
  type TaskListOptions,
} from '../../tasks/store/index.js';
import { ASYNC_TASK_ID_COLUMN, HintErrors, hasHints, parseHints } from '../hints.js';
import type { SessionContext, StatementExtension } from '../types.js';
import { isKillTask, isShowQueryTask, parseKillTask, parseShowQueryTask } from './parser.js';
import { compileCondition, pinsIds, statusesAdmitted, taskColumn } from './where.js';

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
      // The first page is read now, so a failing condition answers as an error, not as a broken result set.
      const pages = readInPages(deps.tasks.store, options, SHOW_PAGE_SIZE);
      const first = await pages.next();
      async function* batches(): AsyncGenerator<RowBatch> {
        for (let r = first; !r.done; r = await pages.next()) yield r.value.map(taskRowCells) as Cell[][];
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
    idsPinned: stmt.where ? pinsIds(stmt.where) : false,
    statuses: statuses === null ? undefined : TASK_STATUSES.filter((s) => statuses.includes(s)),
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
