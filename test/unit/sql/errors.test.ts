import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allErrorSpecs } from '../../../src/shared/errors.js';
import { SqlErrors } from '../../../src/sql/errors.js';

describe('sql error catalog', () => {
  const docs = readFileSync(new URL('../../../docs/sql.md', import.meta.url), 'utf8');

  it('every code is registered, MySQL-shaped and documented with its errno and SQLSTATE in docs/sql.md', () => {
    for (const spec of Object.values(SqlErrors)) {
      expect(allErrorSpecs()).toContain(spec);
      expect(spec.code).toMatch(/^LC_SQL_[A-Z_]+$/);
      expect(spec.sqlState).toMatch(/^[0-9A-Z]{5}$/);
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${spec.code}\` |`));
      expect(row, spec.code).toBeDefined();
      expect(row).toContain(`| ${spec.errno} | ${spec.sqlState} | ${spec.httpStatus} |`);
    }
  });

  it('keeps the errnos clients rely on', () => {
    expect(SqlErrors.SQL_SYNTAX.errno).toBe(1064);
    expect(SqlErrors.SQL_FORBIDDEN).toMatchObject({ errno: 1227, sqlState: '42000' });
    expect(SqlErrors.SQL_UNSUPPORTED.errno).toBe(1235);
    expect(SqlErrors.SQL_NO_DATABASE).toMatchObject({ errno: 1046, sqlState: '3D000' });
    expect(SqlErrors.SQL_UNKNOWN_THREAD.errno).toBe(1094);
  });
});
