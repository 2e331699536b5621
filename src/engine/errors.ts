import { CommonErrors, defineErrors, LakecastError } from '../shared/index.js';

/**
 * The engine's error catalog. DuckDB reports errors as text prefixed by their kind (`Parser Error: …`,
 * `Catalog Error: …`); {@link toEngineError} maps each kind onto a stable code with the MySQL errno and
 * SQLSTATE a MySQL client expects for the same mistake.
 */
export const EngineErrors = defineErrors({
  /** The statement does not parse. MySQL ER_PARSE_ERROR. */
  ENGINE_SYNTAX: { errno: 1064, sqlState: '42000', httpStatus: 400 },
  /** A table or view that does not exist. MySQL ER_NO_SUCH_TABLE. */
  ENGINE_NO_SUCH_TABLE: { errno: 1146, sqlState: '42S02', httpStatus: 404 },
  /** A schema (MySQL database) that does not exist. MySQL ER_BAD_DB_ERROR. */
  ENGINE_NO_SUCH_SCHEMA: { errno: 1049, sqlState: '42000', httpStatus: 404 },
  /** A column that does not exist. MySQL ER_BAD_FIELD_ERROR. */
  ENGINE_NO_SUCH_COLUMN: { errno: 1054, sqlState: '42S22', httpStatus: 400 },
  /** A value that cannot be converted (cast, date, number parse). MySQL ER_TRUNCATED_WRONG_VALUE. */
  ENGINE_CONVERSION: { errno: 1292, sqlState: '22007', httpStatus: 400 },
  /** Invalid input to a function or operator. MySQL ER_TRUNCATED_WRONG_VALUE_FOR_FIELD. */
  ENGINE_INVALID_INPUT: { errno: 1366, sqlState: 'HY000', httpStatus: 400 },
  /** The query needed more memory than the engine's limit. MySQL ER_OUT_OF_RESOURCES. */
  ENGINE_OUT_OF_MEMORY: { errno: 1041, sqlState: 'HY001', httpStatus: 507, retryable: true },
  /** The statement touched a file outside the allowed folders, or a disabled feature. */
  ENGINE_PERMISSION: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  /** Any other engine error (binder, type mismatch, unsupported feature, …). */
  ENGINE_ERROR: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
});

/** Prefixes DuckDB puts in front of its messages, mapped to our specs (first match wins). */
const KIND_RULES: readonly [RegExp, (msg: string) => (typeof EngineErrors)[keyof typeof EngineErrors]][] = [
  [/^Parser Error:/, () => EngineErrors.ENGINE_SYNTAX],
  [
    /^Catalog Error:/,
    (m) =>
      /Schema with name .* does not exist|No catalog \+ schema named/i.test(m)
        ? EngineErrors.ENGINE_NO_SUCH_SCHEMA
        : /(Table|View) with name .* does not exist/i.test(m)
          ? EngineErrors.ENGINE_NO_SUCH_TABLE
          : EngineErrors.ENGINE_ERROR,
  ],
  [
    /^Binder Error:/,
    (m) =>
      /Referenced column .* not found|column .* (not found|does not exist)|Values list .* does not have a column/i.test(
        m,
      )
        ? EngineErrors.ENGINE_NO_SUCH_COLUMN
        : /Referenced table .* not found/i.test(m)
          ? EngineErrors.ENGINE_NO_SUCH_TABLE
          : EngineErrors.ENGINE_ERROR,
  ],
  [/^Conversion Error:/, () => EngineErrors.ENGINE_CONVERSION],
  [/^Invalid Input Error:/, () => EngineErrors.ENGINE_INVALID_INPUT],
  [/^Out of Memory Error:/, () => EngineErrors.ENGINE_OUT_OF_MEMORY],
  [/^Permission Error:/, () => EngineErrors.ENGINE_PERMISSION],
];

/**
 * Converts a DuckDB error into a {@link LakecastError}. `hidePaths` are replaced in the message by `<name>`
 * placeholders (e.g. the data dir), so internal folder layouts do not reach clients. The original error is
 * kept as `cause`. `INTERRUPT Error` becomes LC_CANCELLED (callers turn it into LC_TIMEOUT when a timeout
 * caused the interrupt).
 */
export function toEngineError(
  err: unknown,
  hidePaths: ReadonlyMap<string, string> = new Map(),
): LakecastError {
  if (err instanceof LakecastError) return err;
  // node-api prefixes some messages with what it was doing.
  const raw = (err instanceof Error ? err.message : String(err)).replace(/^Failed to [a-z ]+: /, '');
  if (/^INTERRUPT Error:/.test(raw)) {
    return new LakecastError(CommonErrors.CANCELLED, 'query was cancelled', { cause: err });
  }
  let message = raw;
  for (const [p, label] of hidePaths) {
    if (p.length > 1) message = message.split(p).join(label);
  }
  for (const [re, pick] of KIND_RULES) {
    if (re.test(raw)) return new LakecastError(pick(raw), message, { cause: err });
  }
  return new LakecastError(EngineErrors.ENGINE_ERROR, message, { cause: err });
}
