import { defineErrors, LakecastError } from '../../shared/index.js';

/** Errors of the async-task statements (SHOW QUERY_TASK, KILL QUERY '<id>'). Documented in docs/tasks.md. */
export const AsyncStatementErrors = defineErrors({
  /** Malformed SHOW QUERY_TASK / KILL QUERY statement or WHERE condition (MySQL ER_PARSE_ERROR). */
  QUERY_TASK_SYNTAX: { errno: 1064, sqlState: '42000', httpStatus: 400 },
  /** A WHERE / ORDER BY column that SHOW QUERY_TASK does not have (MySQL ER_BAD_FIELD_ERROR). */
  QUERY_TASK_UNKNOWN_COLUMN: { errno: 1054, sqlState: '42S22', httpStatus: 400 },
});

export function syntaxError(message: string): LakecastError {
  return new LakecastError(AsyncStatementErrors.QUERY_TASK_SYNTAX, message);
}
