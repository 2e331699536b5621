import { defineErrors } from '../shared/index.js';

/** Longest async statement text accepted, bytes (BigQuery's limit; Athena's is 256 KiB). */
export const MAX_TASK_SQL_BYTES = 1024 * 1024;

/**
 * Errors of async tasks (documented in docs/tasks.md). `TASK_NOT_FOUND` uses MySQL's ER_NO_SUCH_THREAD (1094)
 * as `KILL` of an unknown id does in MySQL; it is also what a user gets for another user's task, so ids of
 * others' tasks are not revealed.
 */
export const TaskErrors = defineErrors({
  TASK_NOT_FOUND: { errno: 1094, sqlState: 'HY000', httpStatus: 404 },
  /** KILL of a task that already ended. */
  TASK_FINISHED: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  /** The same client-token was used by the same user for a different statement. */
  TASK_TOKEN_REUSED: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  /** The task ended without a result file (failed, cancelled, result expired) or is not finished yet. */
  TASK_NO_RESULT: { errno: 1105, sqlState: 'HY000', httpStatus: 409 },
  /**
   * `Range: bytes=…` of a result download that starts beyond its end (HTTP 416). The error carries the file's
   * `size`, which the 416 answer's `Content-Range` header states.
   */
  TASK_RANGE_NOT_SATISFIABLE: { errno: 1105, sqlState: 'HY000', httpStatus: 416 },
  /** ER_NOT_SUPPORTED_YET: e.g. `output-format=parquet` when no Parquet writer is configured. */
  TASK_UNSUPPORTED: { errno: 1235, sqlState: '42000', httpStatus: 400 },
  /** Used as the `message` prefix of tasks ended by recovery (a crash interrupted them). */
  TASK_INTERRUPTED: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  /**
   * The user already has `tasks.maxQueuedPerUser` tasks waiting (MySQL's ER_USER_LIMIT_REACHED: "User … has
   * exceeded the … resource"); retry once some have started.
   */
  TASK_QUEUE_FULL: { errno: 1226, sqlState: '42000', httpStatus: 429, retryable: true },
  /** An async statement longer than {@link MAX_TASK_SQL_BYTES} (it is stored and kept queued in full). */
  TASK_SQL_TOO_LONG: { errno: 1105, sqlState: 'HY000', httpStatus: 413 },
  /** A result larger than `tasks.maxResultBytes` (MySQL's ER_RECORD_FILE_FULL); the task ends as FAILURE. */
  TASK_RESULT_TOO_LARGE: { errno: 1114, sqlState: 'HY000', httpStatus: 422 },
  /**
   * The results disk is full, or writing the result would leave less than `tasks.minFreeDiskBytes` free (MySQL's
   * ER_DISK_FULL); the task ends as FAILURE and its partial file is removed.
   */
  TASK_DISK_FULL: { errno: 1021, sqlState: 'HY000', httpStatus: 507 },
  /**
   * A result link was asked of a server that cannot make one: `tasks.resultUrlTtlSeconds` is 0, or the results
   * root cannot presign and no link key is configured. MySQL's ER_NOT_SUPPORTED_YET; HTTP 501.
   */
  TASK_RESULT_URL_UNAVAILABLE: { errno: 1235, sqlState: '42000', httpStatus: 501 },
  /** A result link that is malformed, altered, signed by another key, or expired (HTTP 403, as S3 answers). */
  TASK_LINK_INVALID: { errno: 1045, sqlState: '28000', httpStatus: 403 },
  /** The server is shutting down and takes no new tasks. */
  TASK_SHUTTING_DOWN: { errno: 1053, sqlState: '08S01', httpStatus: 503, retryable: true },
});
