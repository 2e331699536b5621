import type { ColumnMeta, ValueType } from '../shared/index.js';
import { CHARSET_BINARY, CHARSET_UTF8MB4, ColumnFlag, ColumnType } from './constants.js';

/** How one Lakecast column is described to MySQL clients. */
export interface MysqlColumnType {
  readonly type: number;
  readonly flags: number;
  readonly charset: number;
  /** Display length in bytes (characters × 4 for utf8mb4 text). */
  readonly length: number;
  readonly decimals: number;
}

/** Decimals value meaning "not fixed" for FLOAT/DOUBLE (NOT_FIXED_DEC). */
const NOT_FIXED_DEC = 31;
const TEXT_LENGTH = 65535 * 4;

const num = (type: number, length: number, unsigned = false): MysqlColumnType => ({
  type,
  flags: ColumnFlag.NUM | ColumnFlag.BINARY | (unsigned ? ColumnFlag.UNSIGNED : 0),
  charset: CHARSET_BINARY,
  length,
  decimals: 0,
});
const text = (type: number, length = TEXT_LENGTH): MysqlColumnType => ({
  type,
  flags: 0,
  charset: CHARSET_UTF8MB4,
  length,
  decimals: 0,
});
const temporal = (type: number, length: number, decimals: number): MysqlColumnType => ({
  type,
  flags: ColumnFlag.BINARY,
  charset: CHARSET_BINARY,
  length,
  decimals,
});

const FIXED: Partial<Record<ValueType, MysqlColumnType>> = {
  NULL: { type: ColumnType.NULL, flags: ColumnFlag.BINARY, charset: CHARSET_BINARY, length: 0, decimals: 0 },
  BOOLEAN: num(ColumnType.TINY, 1),
  TINYINT: num(ColumnType.TINY, 4),
  UTINYINT: num(ColumnType.TINY, 3, true),
  SMALLINT: num(ColumnType.SHORT, 6),
  USMALLINT: num(ColumnType.SHORT, 5, true),
  INTEGER: num(ColumnType.LONG, 11),
  UINTEGER: num(ColumnType.LONG, 10, true),
  BIGINT: num(ColumnType.LONGLONG, 20),
  UBIGINT: num(ColumnType.LONGLONG, 20, true),
  HUGEINT: { ...num(ColumnType.NEWDECIMAL, 40), decimals: 0 },
  FLOAT: { ...num(ColumnType.FLOAT, 12), decimals: NOT_FIXED_DEC },
  DOUBLE: { ...num(ColumnType.DOUBLE, 22), decimals: NOT_FIXED_DEC },
  BLOB: {
    type: ColumnType.BLOB,
    flags: ColumnFlag.BLOB | ColumnFlag.BINARY,
    charset: CHARSET_BINARY,
    length: 0xffffffff,
    decimals: 0,
  },
  DATE: temporal(ColumnType.DATE, 10, 0),
  TIME: temporal(ColumnType.TIME, 17, 6),
  TIMESTAMP: temporal(ColumnType.DATETIME, 26, 6),
  TIMESTAMPTZ: temporal(ColumnType.DATETIME, 26, 6),
  // JSON as MySQL 8 sends it, but with a text charset so text-oriented clients print it as is.
  JSON: {
    type: ColumnType.JSON,
    flags: ColumnFlag.BLOB,
    charset: CHARSET_UTF8MB4,
    length: 0xffffffff,
    decimals: 0,
  },
  UUID: text(ColumnType.VAR_STRING, 36 * 4),
  INTERVAL: text(ColumnType.VAR_STRING, 64 * 4),
};

/**
 * Maps a Lakecast column onto a MySQL column definition: integers keep their width and the UNSIGNED flag,
 * DECIMAL becomes NEWDECIMAL(precision, scale) (default 18,3), HUGEINT NEWDECIMAL(39,0), TIMESTAMP[TZ]
 * DATETIME(6), BOOLEAN TINYINT(1), BLOB binary BLOB, VARCHAR/UUID/INTERVAL utf8mb4 VAR_STRING.
 */
export function mysqlColumnType(col: ColumnMeta): MysqlColumnType {
  let t: MysqlColumnType;
  if (col.type === 'DECIMAL') {
    const precision = col.precision ?? 18;
    const scale = col.scale ?? 3;
    t = { ...num(ColumnType.NEWDECIMAL, precision + (scale > 0 ? 2 : 1)), decimals: scale };
  } else if (col.type === 'VARCHAR') {
    t = text(ColumnType.VAR_STRING, col.precision ? col.precision * 4 : TEXT_LENGTH);
  } else {
    t = FIXED[col.type] ?? text(ColumnType.VAR_STRING);
  }
  if (col.nullable === false) t = { ...t, flags: t.flags | ColumnFlag.NOT_NULL };
  return t;
}
