import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDecimalBig,
  formatDecimalNumber,
  formatTimestampBig,
  formatTimestampMicros,
} from '../../../src/engine/duckdb/format.js';
import { globToRegExp } from '../../../src/engine/duckdb/profile.js';
import { duckType, resolveMemoryLimit, tableSelectSql } from '../../../src/engine/index.js';

describe('format - cell text helpers', () => {
  it('format - decimals keep every fraction digit and the sign', () => {
    expect(formatDecimalNumber(-5, 2)).toBe('-0.05');
    expect(formatDecimalNumber(123456, 3)).toBe('123.456');
    expect(formatDecimalNumber(7, 0)).toBe('7');
    expect(formatDecimalNumber(100, 2)).toBe('1.00');
    expect(formatDecimalBig(-123456789012345678901234567890n, 10)).toBe('-12345678901234567890.1234567890');
    expect(formatDecimalBig(5n, 4)).toBe('0.0005');
  });

  it('format - dates before the epoch, leap days, BC', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(11016)).toBe('2000-02-29');
    expect(formatDate(-719528)).toBe('0001-01-01 (BC)');
  });

  it('format - timestamps with and without fractions, far future via bigint', () => {
    expect(formatTimestampMicros(0)).toBe('1970-01-01 00:00:00');
    expect(formatTimestampMicros(-1)).toBe('1969-12-31 23:59:59.999999');
    expect(formatTimestampMicros(1_763_769_600_123_000)).toBe('2025-11-22 00:00:00.123000');
    expect(formatTimestampBig(253402300799999999n)).toBe('9999-12-31 23:59:59.999999');
  });
});

describe('engine options and lake SQL', () => {
  it('memory limit - percentages become MiB of this machine, sizes pass through', () => {
    const mib = Math.floor((os.totalmem() * 0.5) / 1024 / 1024);
    expect(resolveMemoryLimit('50%')).toBe(`${mib}MiB`);
    expect(resolveMemoryLimit('4GB')).toBe('4GB');
    expect(resolveMemoryLimit('512 MiB')).toBe('512MiB');
  });

  it('lake types - Hive/DLA DDL types map to DuckDB types', () => {
    expect(duckType('STRING')).toBe('VARCHAR');
    expect(duckType('VARCHAR(20)')).toBe('VARCHAR');
    expect(duckType('INT')).toBe('INTEGER');
    expect(duckType('DECIMAL(15,2)')).toBe('DECIMAL(15,2)');
    expect(duckType('ARRAY<INT>')).toBe('INTEGER[]');
    expect(duckType('MAP<STRING,BIGINT>')).toBe('MAP(VARCHAR, BIGINT)');
    expect(duckType('STRUCT<a:INT,b:ARRAY<STRING>>')).toBe('STRUCT("a" INTEGER, "b" VARCHAR[])');
    expect(() => duckType('INT); DROP TABLE x; --')).toThrow();
  });

  it('lake SQL - identifiers and paths are quoted', () => {
    const sql = tableSelectSql(
      {
        schema: 's',
        name: 't',
        columns: [{ name: 'we"ird', type: 'INT' }],
        partitionColumns: [],
        format: 'CSV',
        location: "file:///x'y/",
        properties: {},
        owner: 'o',
        createdAt: new Date(),
      },
      "/x'y",
      true,
    );
    expect(sql).toContain('"we""ird"');
    expect(sql).toContain("'/x''y/**/[!_.]*'");
  });

  it('glob - DuckDB patterns as regular expressions', () => {
    expect(globToRegExp('/a/**/*.parquet').test('/a/dt=1/x.parquet')).toBe(true);
    expect(globToRegExp('/a/**/*.parquet').test('/a/x.parquet')).toBe(true);
    expect(globToRegExp('/a/*.csv').test('/a/b/x.csv')).toBe(false);
    expect(globToRegExp('/a/f?.csv').test('/a/f1.csv')).toBe(true);
    // `[!…]` negates, never matching `/` (the lake globs' "not hidden" file names).
    expect(globToRegExp('/a/**/[!_.]*').test('/a/dt=1/part-0')).toBe(true);
    expect(globToRegExp('/a/**/[!_.]*').test('/a/_SUCCESS')).toBe(false);
    expect(globToRegExp('/a/**/[!_.]*').test('/a/dt=1/.part-0.crc')).toBe(false);
    expect(globToRegExp('/a/[!_.]*').test('/a//x')).toBe(false);
  });
});
