import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MysqlProtocolErrors, mysqlColumnType } from '../../../src/mysql-protocol/index.js';
import type { ValueType } from '../../../src/shared/index.js';

describe('type mapping - ValueType → MySQL column definition', () => {
  const cases: [ValueType, number, number, number][] = [
    // type, mysql type, charset, decimals
    ['NULL', 6, 63, 0],
    ['BOOLEAN', 1, 63, 0],
    ['TINYINT', 1, 63, 0],
    ['SMALLINT', 2, 63, 0],
    ['INTEGER', 3, 63, 0],
    ['BIGINT', 8, 63, 0],
    ['UTINYINT', 1, 63, 0],
    ['USMALLINT', 2, 63, 0],
    ['UINTEGER', 3, 63, 0],
    ['UBIGINT', 8, 63, 0],
    ['HUGEINT', 246, 63, 0],
    ['FLOAT', 4, 63, 31],
    ['DOUBLE', 5, 63, 31],
    ['DECIMAL', 246, 63, 3],
    ['VARCHAR', 253, 45, 0],
    ['BLOB', 252, 63, 0],
    ['DATE', 10, 63, 0],
    ['TIME', 11, 63, 6],
    ['TIMESTAMP', 12, 63, 6],
    ['TIMESTAMPTZ', 12, 63, 6],
    ['INTERVAL', 253, 45, 0],
    ['UUID', 253, 45, 0],
    ['JSON', 245, 45, 0],
  ];
  it.each(cases)('%s → type %i, charset %i, decimals %i', (type, mysqlType, charset, decimals) => {
    expect(mysqlColumnType({ name: 'c', type })).toMatchObject({ type: mysqlType, charset, decimals });
  });

  it('unsigned flag only on unsigned integers; BOOLEAN is TINYINT(1); HUGEINT is DECIMAL(39,0)', () => {
    expect(mysqlColumnType({ name: 'c', type: 'UBIGINT' }).flags & 0x20).toBe(0x20);
    expect(mysqlColumnType({ name: 'c', type: 'BIGINT' }).flags & 0x20).toBe(0);
    expect(mysqlColumnType({ name: 'c', type: 'BOOLEAN' }).length).toBe(1);
    expect(mysqlColumnType({ name: 'c', type: 'HUGEINT' }).length).toBe(40);
  });

  it('DECIMAL precision/scale and VARCHAR length come from the column', () => {
    expect(mysqlColumnType({ name: 'c', type: 'DECIMAL', precision: 10, scale: 2 })).toMatchObject({
      length: 12,
      decimals: 2,
    });
    expect(mysqlColumnType({ name: 'c', type: 'DECIMAL', precision: 10, scale: 0 })).toMatchObject({
      length: 11,
      decimals: 0,
    });
    expect(mysqlColumnType({ name: 'c', type: 'VARCHAR', precision: 20 }).length).toBe(80);
  });
});

describe('error catalog', () => {
  it('every protocol error code is documented in docs/mysql-protocol.md with its errno', () => {
    const doc = readFileSync(new URL('../../../docs/mysql-protocol.md', import.meta.url), 'utf8');
    for (const spec of Object.values(MysqlProtocolErrors)) {
      expect(doc).toContain(`| \`${spec.code}\` | ${spec.errno} | ${spec.sqlState} |`);
    }
  });
});
