import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CatalogErrors,
  normalizeGrantSchema,
  normalizeSchemaName,
  normalizeTableName,
  normalizeUserName,
  parseCatalogSpec,
} from '../../../src/catalog/index.js';
import { allErrorSpecs } from '../../../src/shared/errors.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string; errno?: number }).code;
  }
  return 'no error';
};

describe('catalog names', () => {
  it('schema/table names - lower-cased and NFC-normalized, 64 characters max', () => {
    expect(normalizeSchemaName('Sales_2024')).toBe('sales_2024');
    expect(normalizeTableName('T$1')).toBe('t$1');
    expect(normalizeSchemaName('Cafe\u0301')).toBe('café'); // decomposed → composed
    expect(normalizeSchemaName('ДАННЫЕ')).toBe('данные');
    expect(normalizeSchemaName('a'.repeat(64))).toHaveLength(64);
    expect(normalizeSchemaName('数'.repeat(64))).toHaveLength(64);
  });

  it('schema/table names - empty, long, odd characters refused with MySQL errnos', () => {
    for (const bad of [
      '',
      'a'.repeat(65),
      'a b',
      'a-b',
      'a.b',
      '../x',
      'x;',
      "x'",
      'x"',
      'x`',
      '😀',
      '\u0000',
      42,
    ]) {
      expect(code(() => normalizeSchemaName(bad))).toBe('LC_CATALOG_INVALID_SCHEMA_NAME');
      expect(code(() => normalizeTableName(bad))).toBe('LC_CATALOG_INVALID_TABLE_NAME');
    }
    expect(CatalogErrors.CATALOG_INVALID_SCHEMA_NAME.errno).toBe(1102);
    expect(CatalogErrors.CATALOG_INVALID_TABLE_NAME.errno).toBe(1103);
  });

  it('error messages - long names are cut, control characters masked', () => {
    let message = '';
    try {
      normalizeSchemaName(`${'x'.repeat(10_000)}\n`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Identifier name 'x{64}\.\.\.' is too long/);
    expect(message.length).toBeLessThan(200);
  });

  it('user names - case kept, 32 characters max, . and - allowed, quotes and @ refused', () => {
    expect(normalizeUserName('Alice.B-2')).toBe('Alice.B-2');
    expect(normalizeUserName('u'.repeat(32))).toHaveLength(32);
    for (const bad of ['', 'u'.repeat(33), "a'b", 'a@b', 'a b', 'a\tb', '😀', null]) {
      expect(code(() => normalizeUserName(bad))).toBe('LC_CATALOG_INVALID_USER_NAME');
    }
  });

  it('grant schema - * or a schema name', () => {
    expect(normalizeGrantSchema('*')).toBe('*');
    expect(normalizeGrantSchema('Demo')).toBe('demo');
    expect(code(() => normalizeGrantSchema('*.*'))).toBe('LC_CATALOG_INVALID_SCHEMA_NAME');
  });
});

describe('catalog spec', () => {
  it('sqlite - default file in the data dir, explicit paths, memory', () => {
    expect(parseCatalogSpec('sqlite', '/data')).toEqual({ dialect: 'sqlite', file: '/data/catalog.db' });
    expect(parseCatalogSpec('sqlite', 'rel')).toEqual({
      dialect: 'sqlite',
      file: path.resolve('rel/catalog.db'),
    });
    expect(parseCatalogSpec('sqlite:/x/y.db', '/data')).toEqual({ dialect: 'sqlite', file: '/x/y.db' });
    expect(parseCatalogSpec('sqlite:///x/y.db', '/data')).toEqual({ dialect: 'sqlite', file: '/x/y.db' });
    expect(parseCatalogSpec('sqlite::memory:', '/data')).toEqual({ dialect: 'sqlite', file: ':memory:' });
  });

  it('postgres - schema from ?schema= (removed from the URL), an option, or the default', () => {
    expect(parseCatalogSpec('postgres://u:p@h:5432/db', '/d')).toEqual({
      dialect: 'postgres',
      url: 'postgres://u:p@h:5432/db',
      schema: 'lakecast',
    });
    const withParam = parseCatalogSpec('postgresql://h/db?schema=lc_a&sslmode=disable', '/d');
    expect(withParam).toEqual({
      dialect: 'postgres',
      url: 'postgresql://h/db?sslmode=disable',
      schema: 'lc_a',
    });
    expect(parseCatalogSpec('postgres://h/db?schema=lc_a', '/d', { schema: 'lc_b' })).toMatchObject({
      schema: 'lc_b',
    });
  });

  it('bad specs - clear errors that never echo a URL with a password', () => {
    for (const bad of [
      '',
      'mysql://u:secret@h/db',
      'sqlite:',
      'postgres://h/db?schema=Bad-Name',
      'postgres://h/db?schema=a;drop',
    ]) {
      let err: { code?: string; message?: string } = {};
      try {
        parseCatalogSpec(bad, '/d');
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('LC_CATALOG_INVALID_SPEC');
      expect(err.message).not.toContain('secret');
    }
  });
});

describe('catalog error catalog', () => {
  it('every catalog code is LC_CATALOG_*, registered once, with a MySQL errno, SQLSTATE and HTTP status', () => {
    const specs = Object.values(CatalogErrors);
    expect(new Set(specs.map((s) => s.code)).size).toBe(specs.length);
    for (const s of specs) {
      expect(s.code).toMatch(/^LC_CATALOG_[A-Z_]+$/);
      expect(s.sqlState).toMatch(/^[0-9A-Z]{5}$/);
      expect(s.errno).toBeGreaterThan(1000);
      expect(s.httpStatus).toBeGreaterThanOrEqual(400);
      expect(allErrorSpecs()).toContain(s);
    }
    expect(CatalogErrors.CATALOG_UNAVAILABLE.retryable).toBe(true);
    expect(CatalogErrors.CATALOG_SCHEMA_EXISTS.errno).toBe(1007);
    expect(CatalogErrors.CATALOG_TABLE_EXISTS.errno).toBe(1050);
    expect(CatalogErrors.CATALOG_SCHEMA_NOT_FOUND.errno).toBe(1049);
    expect(CatalogErrors.CATALOG_TABLE_NOT_FOUND.errno).toBe(1146);
    expect(CatalogErrors.CATALOG_USER_EXISTS.errno).toBe(1396);
  });
});
