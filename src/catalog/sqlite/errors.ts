import { causes, type ErrorKind } from '../driver.js';

/** Classifies a better-sqlite3 error by its extended result code (https://www.sqlite.org/rescode.html). */
export function classifySqliteError(err: unknown): ErrorKind {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique';
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
      if (
        code.startsWith('SQLITE_BUSY') ||
        code.startsWith('SQLITE_LOCKED') ||
        code.startsWith('SQLITE_IOERR') ||
        code.startsWith('SQLITE_CANTOPEN') ||
        code === 'SQLITE_FULL' ||
        code === 'SQLITE_READONLY'
      ) {
        return 'unavailable';
      }
    }
    if (e instanceof TypeError && /database connection is not open/.test(e.message)) return 'unavailable';
  }
  return 'other';
}
