import { defineErrors, LakecastError } from '../shared/index.js';

/**
 * The SQL front's error catalog (unknown/duplicate databases and tables and bad names come from the catalog's:
 * LC_CATALOG_*). Each code keeps its meaning forever; errno/SQLSTATE follow MySQL so clients and
 * tools react as they would against a MySQL server. Documented in docs/sql.md.
 */
export const SqlErrors = defineErrors({
  /** Malformed statement, bad clause, wrong type in DDL (MySQL ER_PARSE_ERROR). */
  SQL_SYNTAX: { errno: 1064, sqlState: '42000', httpStatus: 400 },
  /** The sandbox refused the statement (engine settings, file access, system catalogs, writes). */
  SQL_FORBIDDEN: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  /** A table the user may not read (MySQL ER_TABLEACCESS_DENIED_ERROR). */
  SQL_TABLE_ACCESS_DENIED: { errno: 1142, sqlState: '42000', httpStatus: 403 },
  /** A database the user may not use (MySQL ER_DBACCESS_DENIED_ERROR). */
  SQL_DB_ACCESS_DENIED: { errno: 1044, sqlState: '42000', httpStatus: 403 },
  /** Valid SQL Lakecast does not implement (MySQL ER_NOT_SUPPORTED_YET). */
  SQL_UNSUPPORTED: { errno: 1235, sqlState: '42000', httpStatus: 400 },
  /** MySQL ER_NO_DB_ERROR. */
  SQL_NO_DATABASE: { errno: 1046, sqlState: '3D000', httpStatus: 400 },
  /** MySQL ER_NO_SUCH_THREAD. */
  SQL_UNKNOWN_THREAD: { errno: 1094, sqlState: 'HY000', httpStatus: 404 },
  /** A prepared statement executed with the wrong number of parameters (MySQL ER_WRONG_ARGUMENTS). */
  SQL_BAD_PARAMS: { errno: 1210, sqlState: 'HY000', httpStatus: 400 },
  /** A session variable Lakecast acts on set to a value of the wrong type (MySQL ER_WRONG_TYPE_FOR_VAR). */
  SQL_WRONG_TYPE_FOR_VAR: { errno: 1232, sqlState: '42000', httpStatus: 400 },
});

/** Builds a LakecastError from this catalog. */
export function sqlError(spec: (typeof SqlErrors)[keyof typeof SqlErrors], message: string, cause?: unknown) {
  return new LakecastError(spec, message, cause === undefined ? undefined : { cause });
}

/** `LC_SQL_FORBIDDEN` with the standard wording: what was refused and why. */
export function forbidden(
  what: string,
  why = 'the SQL sandbox only allows reading catalog tables',
): LakecastError {
  return sqlError(SqlErrors.SQL_FORBIDDEN, `${what} is not allowed: ${why}`);
}

/** `LC_SQL_UNSUPPORTED` with MySQL's wording. */
export function unsupported(what: string): LakecastError {
  return sqlError(SqlErrors.SQL_UNSUPPORTED, `This version of Lakecast doesn't yet support '${what}'`);
}

/** Unknown database (LC_CATALOG_SCHEMA_NOT_FOUND, 1049) and table (LC_CATALOG_TABLE_NOT_FOUND, 1146). */
export { schemaNotFound as unknownDatabase, tableNotFound as unknownTable } from '../catalog/index.js';

/** `LC_SQL_NO_DATABASE` with MySQL's wording. */
export function noDatabase(): LakecastError {
  return sqlError(SqlErrors.SQL_NO_DATABASE, 'No database selected');
}
