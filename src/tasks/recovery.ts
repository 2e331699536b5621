/** Recovery after a crash (docs/tasks.md "Recovery"): nothing of this node stays QUEUED or RUNNING. */
import type { AuthUser } from '../auth/types.js';
import type { Logger } from '../shared/index.js';
import { type Hints, parseHints } from '../sql/hints.js';
import type { SessionContext } from '../sql/types.js';
import type { ObjectStore } from '../storage/index.js';
import { errorText, isIdempotentKind, resultKeyOf } from './statements.js';
import type { TaskRecord, TaskStore } from './store/index.js';

/** A task waiting in the queue: its id, when it was submitted, the session it runs in and its query. */
export interface QueueEntry {
  readonly id: string;
  readonly createTime: number;
  readonly ctx: SessionContext;
  /** The statement without its hints; null: too long to keep while waiting, read from the catalog at start. */
  readonly body: string | null;
  readonly hints: Hints;
}

/** What {@link recoverUnfinished} works with (the task service's parts). */
export interface RecoveryEnv {
  readonly store: TaskStore;
  /** This server's node code: only its own tasks are recovered. */
  readonly node: string;
  readonly maxAttempts: number;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly resultStore: ObjectStore;
  /** The user a recovered task runs as; null = gone. Default: `{ name, admin: false }`. */
  readonly resolveUser?: (name: string) => Promise<AuthUser | null>;
  /** Ends a task as FAILURE with `message` (the terminal transaction, receipts included). */
  fail(id: string, message: string): Promise<unknown>;
  /** Puts a task back in the queue. */
  requeue(creator: string, entry: QueueEntry): void;
}

/**
 * Every task of this node still QUEUED or RUNNING: a QUEUED one is queued again; a RUNNING idempotent one loses
 * its partial result and runs again under the same id (until `maxAttempts` interrupted runs); a RUNNING
 * statement that is not idempotent, or whose user is gone, ends as FAILURE with LC_TASK_INTERRUPTED.
 */
export async function recoverUnfinished(env: RecoveryEnv): Promise<{ requeued: number; failed: number }> {
  let requeued = 0;
  let failed = 0;
  for (const task of await env.store.listUnfinished(env.node)) {
    const kind = task.task_name;
    const user = env.resolveUser
      ? await env.resolveUser(task.creator_id)
      : { name: task.creator_id, admin: false };
    if (task.status === 'RUNNING') {
      await env.resultStore
        .deletePrefix(resultKeyOf(task.id, task.create_time, task.output_format).replace(/result\.\w+$/, ''))
        .catch(() => {});
      if (!isIdempotentKind(kind)) {
        await env.fail(
          task.id,
          `LC_TASK_INTERRUPTED: the server stopped while this ${kind} statement was running; it was not run again because it is not idempotent. Check its target and submit it again.`,
        );
        failed++;
        continue;
      }
      if (task.attempts >= env.maxAttempts) {
        await env.fail(
          task.id,
          `LC_TASK_INTERRUPTED: the server stopped while this task was running, ${task.attempts} times; not run again.`,
        );
        failed++;
        continue;
      }
      if (!(await env.store.requeue(task.id, env.clock()))) continue;
    }
    if (!user) {
      await env.fail(task.id, `LC_TASK_INTERRUPTED: user ${task.creator_id} no longer exists`);
      failed++;
      continue;
    }
    let parsed: ReturnType<typeof parseHints>;
    try {
      parsed = parseHints(task.command);
    } catch (err) {
      await env.fail(task.id, errorText(err));
      failed++;
      continue;
    }
    env.requeue(task.creator_id, {
      id: task.id,
      createTime: task.create_time,
      ctx: contextFor(task, user),
      body: parsed.body,
      hints: parsed.hints,
    });
    requeued++;
  }
  if (requeued + failed > 0) env.logger.info({ requeued, failed }, 'recovered unfinished tasks');
  return { requeued, failed };
}

/** The session a recovered task runs in: its creator and database, without the session's variables. */
function contextFor(task: TaskRecord, user: AuthUser): SessionContext {
  return {
    connectionId: task.connection_id ?? 0,
    user,
    database: task.table_schema,
    remoteAddress: 'task',
    variables: new Map(),
  };
}
