import { defineErrors, LakecastError } from '../shared/errors.js';

/**
 * The catalog's error catalog. Errnos and SQLSTATEs are the ones MySQL sends for the same situation, so a
 * MySQL client sees familiar errors (https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html).
 * Build errors through the helpers below so messages stay MySQL-worded and consistent across capabilities.
 */
export const CatalogErrors = defineErrors({
  /** CREATE DATABASE on an existing schema: ER_DB_CREATE_EXISTS. */
  CATALOG_SCHEMA_EXISTS: { errno: 1007, sqlState: 'HY000', httpStatus: 409 },
  /** CREATE TABLE on an existing table: ER_TABLE_EXISTS_ERROR. */
  CATALOG_TABLE_EXISTS: { errno: 1050, sqlState: '42S01', httpStatus: 409 },
  /** CREATE USER on an existing user: ER_CANNOT_USER. */
  CATALOG_USER_EXISTS: { errno: 1396, sqlState: 'HY000', httpStatus: 409 },
  /** A statement names a schema that does not exist: ER_BAD_DB_ERROR. */
  CATALOG_SCHEMA_NOT_FOUND: { errno: 1049, sqlState: '42000', httpStatus: 404 },
  /** DROP DATABASE on a missing schema: ER_DB_DROP_EXISTS. */
  CATALOG_DROP_SCHEMA_NOT_FOUND: { errno: 1008, sqlState: 'HY000', httpStatus: 404 },
  /** A statement reads a table that does not exist: ER_NO_SUCH_TABLE. */
  CATALOG_TABLE_NOT_FOUND: { errno: 1146, sqlState: '42S02', httpStatus: 404 },
  /** DROP TABLE on a missing table: ER_BAD_TABLE_ERROR. */
  CATALOG_DROP_TABLE_NOT_FOUND: { errno: 1051, sqlState: '42S02', httpStatus: 404 },
  /** ALTER/DROP USER or GRANT on a missing user: ER_CANNOT_USER. */
  CATALOG_USER_NOT_FOUND: { errno: 1396, sqlState: 'HY000', httpStatus: 404 },
  /** REVOKE of a privilege the user does not hold: ER_NONEXISTING_GRANT. */
  CATALOG_GRANT_NOT_FOUND: { errno: 1141, sqlState: '42000', httpStatus: 404 },
  /** DROP DATABASE without CASCADE on a schema that still has tables (ER_DB_DROP_RMDIR's errno). */
  CATALOG_NOT_EMPTY: { errno: 1010, sqlState: 'HY000', httpStatus: 409 },
  /** Empty, too long or odd-character schema name: ER_WRONG_DB_NAME. */
  CATALOG_INVALID_SCHEMA_NAME: { errno: 1102, sqlState: '42000', httpStatus: 400 },
  /** Empty, too long or odd-character table or column name: ER_WRONG_TABLE_NAME. */
  CATALOG_INVALID_TABLE_NAME: { errno: 1103, sqlState: '42000', httpStatus: 400 },
  /** Empty, too long or odd-character user name: ER_WRONG_STRING_LENGTH / ER_WRONG_USER_NAME. */
  CATALOG_INVALID_USER_NAME: { errno: 1470, sqlState: 'HY000', httpStatus: 400 },
  /** Any other invalid input (table definition, privilege, token, setting key, comment too long). */
  CATALOG_INVALID_INPUT: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  /** `openCatalog` got a spec it does not understand (a configuration error). */
  CATALOG_INVALID_SPEC: { errno: 1105, sqlState: 'HY000', httpStatus: 500 },
  /** The catalog database cannot be reached or is busy; the same request may succeed later. */
  CATALOG_UNAVAILABLE: { errno: 1105, sqlState: 'HY000', httpStatus: 503, retryable: true },
});

/** Single-quotes a name for an error message; long or hostile names are cut so messages stay small. */
export function quoteForMessage(name: string, max = 64): string {
  const chars = [...name];
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}...` : name;
  return `'${shown.replace(/[\u0000-\u001f\u007f]/g, '?')}'`;
}

/** `'user'@'%'`, as MySQL names an account in messages and SHOW GRANTS. */
export function accountForMessage(user: string): string {
  return `${quoteForMessage(user, 32)}@'%'`;
}

export const schemaExists = (name: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_SCHEMA_EXISTS,
    `Can't create database ${quoteForMessage(name)}; database exists`,
  );
export const tableExists = (name: string) =>
  new LakecastError(CatalogErrors.CATALOG_TABLE_EXISTS, `Table ${quoteForMessage(name)} already exists`);
export const userExists = (user: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_USER_EXISTS,
    `Operation CREATE USER failed for ${accountForMessage(user)}`,
  );
export const schemaNotFound = (name: string) =>
  new LakecastError(CatalogErrors.CATALOG_SCHEMA_NOT_FOUND, `Unknown database ${quoteForMessage(name)}`);
export const dropSchemaNotFound = (name: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_DROP_SCHEMA_NOT_FOUND,
    `Can't drop database ${quoteForMessage(name)}; database doesn't exist`,
  );
export const tableNotFound = (schema: string, name: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_TABLE_NOT_FOUND,
    `Table ${quoteForMessage(`${schema}.${name}`, 130)} doesn't exist`,
  );
export const dropTableNotFound = (schema: string, name: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_DROP_TABLE_NOT_FOUND,
    `Unknown table ${quoteForMessage(`${schema}.${name}`, 130)}`,
  );
/** `operation` is the statement MySQL would name: `DROP USER`, `ALTER USER`, `GRANT`. */
export const userNotFound = (user: string, operation = 'DROP USER') =>
  new LakecastError(
    CatalogErrors.CATALOG_USER_NOT_FOUND,
    `Operation ${operation} failed for ${accountForMessage(user)}`,
  );
export const grantNotFound = (user: string) =>
  new LakecastError(
    CatalogErrors.CATALOG_GRANT_NOT_FOUND,
    `There is no such grant defined for user ${quoteForMessage(user, 32)} on host '%'`,
  );
export const schemaNotEmpty = (name: string, tables: number) =>
  new LakecastError(
    CatalogErrors.CATALOG_NOT_EMPTY,
    `Can't drop database ${quoteForMessage(name)}; it still has ${tables} table(s) (use CASCADE)`,
  );
export const invalidInput = (message: string) =>
  new LakecastError(CatalogErrors.CATALOG_INVALID_INPUT, message);
export const catalogUnavailable = (cause: unknown) =>
  new LakecastError(CatalogErrors.CATALOG_UNAVAILABLE, 'catalog database unavailable; try again', {
    cause,
  });
