/**
 * Who may read a task's result file, and how it is served: the checks the download (`openResult`), result links
 * (`resultUrl`: presigned by S3, or signed by this server) and deletion (`deleteResult`) share.
 */
import type { AuthUser } from '../auth/types.js';
import { LakecastError } from '../shared/index.js';
import type { ObjectStore } from '../storage/index.js';
import { TaskErrors } from './errors.js';
import { RESULT_LINK_ROUTE, type ResultLinkSigner } from './link-signer.js';
import { resolveRange } from './result-range.js';
import { CONTENT_TYPES } from './statements.js';
import type { TaskRecord, TaskStore } from './store/index.js';
import type { OpenedResult, RangeRequest } from './types.js';

/** Default of `tasks.resultUrlTtlSeconds`: how long a result link stays valid (15 minutes). */
export const DEFAULT_RESULT_URL_TTL_SECONDS = 900;

/** A result file a user may read. */
export interface ReadableResult {
  readonly task: TaskRecord;
  /** The file's key in the results store. */
  readonly key: string;
  readonly contentType: string;
  /** The name a download is saved under: `<task id>.<csv|json|parquet>`. */
  readonly fileName: string;
}

/** What {@link resultLink} answers: a URL that fetches the file without credentials, until `expiresAt`. */
export interface ResultLink extends ReadableResult {
  /** An absolute URL (presigned by the store), or a path on this server (starting with `/`). */
  readonly url: string;
  /** When the URL stops working (ms since the epoch). */
  readonly expiresAt: number;
}

/**
 * The result file of task `id` as `actor` may read it. LC_TASK_NOT_FOUND when there is no such task or it is
 * another user's (unless the actor is an admin: ids of others' tasks are not revealed), LC_TASK_NO_RESULT while
 * it runs, when it ended without a file, or once retention deleted the file.
 */
export function readableResult(
  task: TaskRecord | null | undefined,
  id: string,
  actor: AuthUser,
): ReadableResult {
  if (!task || (task.creator_id !== actor.name && !actor.admin)) {
    throw new LakecastError(TaskErrors.TASK_NOT_FOUND, `Unknown task id: ${id}`);
  }
  if (task.status !== 'SUCCESS' || !task.result_key) {
    throw new LakecastError(
      TaskErrors.TASK_NO_RESULT,
      `task ${id} has no result file (status ${task.status})`,
    );
  }
  if (task.result_deleted_at !== null) {
    throw new LakecastError(
      TaskErrors.TASK_NO_RESULT,
      `the result of task ${id} was deleted (retention, or its owner)`,
    );
  }
  const ext = task.result_key.slice(task.result_key.lastIndexOf('.') + 1);
  return {
    task,
    key: task.result_key,
    contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
    fileName: `${id}.${ext}`,
  };
}

/**
 * A link to a readable result, valid for `ttlSeconds`: presigned by the results store when it can (S3: the storage
 * answers it with the file's content type and download name), else signed by `signer` and served by this server
 * (`url` is then a path, {@link RESULT_LINK_ROUTE}`/<token>`). LC_TASK_RESULT_URL_UNAVAILABLE when links are off
 * (`ttlSeconds` 0) or neither can make one.
 */
export async function resultLink(
  result: ReadableResult,
  store: ObjectStore,
  ttlSeconds: number,
  now: number,
  signer?: ResultLinkSigner,
): Promise<ResultLink> {
  if (ttlSeconds <= 0) {
    throw new LakecastError(
      TaskErrors.TASK_RESULT_URL_UNAVAILABLE,
      'result links are off on this server (tasks.resultUrlTtlSeconds is 0)',
    );
  }
  const expiresAt = now + ttlSeconds * 1000;
  if (store.presignGet) {
    const url = await store.presignGet(result.key, {
      expiresInSeconds: ttlSeconds,
      contentType: result.contentType,
      contentDisposition: `attachment; filename="${result.fileName}"`,
    });
    return { ...result, url, expiresAt };
  }
  if (!signer) {
    throw new LakecastError(
      TaskErrors.TASK_RESULT_URL_UNAVAILABLE,
      'this results root cannot presign and the server has no link key; download the file from /v1/tasks/{id}/result',
    );
  }
  const token = signer.sign(result.task.id, expiresAt);
  return { ...result, url: `${RESULT_LINK_ROUTE}/${token}`, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
}

/** A readable result opened for reading, whole or `range` of it (resolved against the file's size). */
export async function openReadable(
  r: ReadableResult,
  store: ObjectStore,
  range?: RangeRequest,
): Promise<OpenedResult> {
  const resolved = range ? resolveRange(range, r.task.result_file_size, r.task.id) : null;
  const body = await store.get(r.key, resolved ? { range: resolved } : {});
  return { task: r.task, body, range: resolved, contentType: r.contentType, fileName: r.fileName };
}

/**
 * Deletes the result file of task `id` ahead of retention (a result holding data that must not stay, or space
 * wanted back) and sets the row's `result_deleted_at`; the row itself stays. Owner or admin only
 * (LC_TASK_NOT_FOUND otherwise); LC_TASK_NO_RESULT when the task has no result file (not finished, failed,
 * cancelled, or a statement without rows). Deleting a deleted result again changes nothing. Returns the row.
 */
export async function deleteResult(
  deps: { readonly store: TaskStore; readonly resultStore: ObjectStore; readonly clock: () => number },
  id: string,
  actor: AuthUser,
): Promise<TaskRecord> {
  const task = await deps.store.get(id);
  if (task?.result_deleted_at != null && (task.creator_id === actor.name || actor.admin)) return task;
  const r = readableResult(task, id, actor);
  await deps.resultStore.delete(r.key);
  await deps.store.markResultsDeleted([id], deps.clock());
  return (await deps.store.get(id)) ?? r.task;
}
