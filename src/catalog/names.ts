import { LakecastError } from '../shared/errors.js';
import { CatalogErrors, quoteForMessage } from './errors.js';

/** MySQL's identifier limit (schema, table, column names), in characters. */
export const MAX_IDENTIFIER_LENGTH = 64;
/** MySQL 8's user name limit, in characters. */
export const MAX_USER_NAME_LENGTH = 32;

// Letters, marks and digits of any script, `_` and `$` (MySQL's unquoted identifier characters, widened to
// Unicode). Everything else — quotes, dots, slashes, spaces, control characters, emoji — is refused so a
// name is always safe as a file path segment and inside any quoting.
const IDENTIFIER = /^[\p{L}\p{M}\p{N}_$]+$/u;
// User names also allow `.` and `-` (common in account names); never quotes, `@` or whitespace.
const USER_NAME = /^[\p{L}\p{M}\p{N}_$.-]+$/u;

function checkIdentifier(
  value: unknown,
  kind: string,
  spec: typeof CatalogErrors.CATALOG_INVALID_SCHEMA_NAME,
) {
  if (typeof value !== 'string' || value.length === 0) {
    throw new LakecastError(spec, `Incorrect ${kind} name ''`);
  }
  const name = value.normalize('NFC');
  if ([...name].length > MAX_IDENTIFIER_LENGTH) {
    throw new LakecastError(
      spec,
      `Identifier name ${quoteForMessage(name)} is too long (max ${MAX_IDENTIFIER_LENGTH} characters)`,
    );
  }
  if (!IDENTIFIER.test(name)) {
    throw new LakecastError(
      spec,
      `Incorrect ${kind} name ${quoteForMessage(name)}: use letters, digits, '_' or '$'`,
    );
  }
  // Case-insensitive like MySQL on Linux with lower_case_table_names=1: stored and compared lower case.
  return name.toLowerCase();
}

/** Validates a schema (database) name and returns its stored form (NFC, lower case). */
export function normalizeSchemaName(name: unknown): string {
  return checkIdentifier(name, 'database', CatalogErrors.CATALOG_INVALID_SCHEMA_NAME);
}

/** Validates a table name and returns its stored form (NFC, lower case). */
export function normalizeTableName(name: unknown): string {
  return checkIdentifier(name, 'table', CatalogErrors.CATALOG_INVALID_TABLE_NAME);
}

/** Validates a column name (same rules as tables); returns it NFC-normalized with its case kept. */
export function normalizeColumnName(name: unknown): string {
  checkIdentifier(name, 'column', CatalogErrors.CATALOG_INVALID_TABLE_NAME);
  return (name as string).normalize('NFC');
}

/**
 * Validates a user name and returns it NFC-normalized. User names are case-sensitive, as in MySQL
 * (`Root` is not `root`).
 */
export function normalizeUserName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new LakecastError(CatalogErrors.CATALOG_INVALID_USER_NAME, `Incorrect user name ''`);
  }
  const user = name.normalize('NFC');
  if ([...user].length > MAX_USER_NAME_LENGTH) {
    throw new LakecastError(
      CatalogErrors.CATALOG_INVALID_USER_NAME,
      `String ${quoteForMessage(user)} is too long for user name (should be no longer than ${MAX_USER_NAME_LENGTH})`,
    );
  }
  if (!USER_NAME.test(user)) {
    throw new LakecastError(
      CatalogErrors.CATALOG_INVALID_USER_NAME,
      `Incorrect user name ${quoteForMessage(user)}: use letters, digits, '_', '$', '.' or '-'`,
    );
  }
  return user;
}

/** A grant's schema: `*` (every schema) or a valid schema name, stored lower case. */
export function normalizeGrantSchema(name: unknown): string {
  return name === '*' ? '*' : normalizeSchemaName(name);
}
