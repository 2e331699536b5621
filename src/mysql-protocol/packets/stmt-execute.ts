import { isUtf8 } from 'node:buffer';
import { type Cell, LakecastError } from '../../shared/index.js';
import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';
import { ColumnType as T } from '../constants.js';
import { MysqlProtocolErrors } from '../errors.js';
import { decodeBinaryDateTime, decodeBinaryTime } from './binary-temporal.js';

/** A bound parameter type: MySQL type byte and unsigned flag. */
export interface ParamType {
  readonly type: number;
  readonly unsigned: boolean;
}

/** A decoded COM_STMT_EXECUTE. */
export interface StmtExecute {
  readonly statementId: number;
  readonly flags: number;
  /** Types in effect (newly bound, or the ones remembered from the previous execute). */
  readonly types: readonly ParamType[];
  readonly values: Cell[];
}

const wrongArguments = (why: string): LakecastError =>
  new LakecastError(
    MysqlProtocolErrors.MYSQL_WRONG_ARGUMENTS,
    `Incorrect arguments to mysqld_stmt_execute (${why})`,
  );

/** Reads the statement id of a COM_STMT_EXECUTE / SEND_LONG_DATA / CLOSE / RESET payload. */
export function readStatementId(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}

const BLOB_TYPES = new Set<number>([T.TINY_BLOB, T.MEDIUM_BLOB, T.LONG_BLOB, T.BLOB, T.GEOMETRY, T.BIT]);

/** Turns a string-typed value into a Cell: text when valid UTF-8, else raw bytes (e.g. Buffers sent as VAR_STRING). */
function stringOrBytes(b: Buffer, type: number): Cell {
  if (BLOB_TYPES.has(type) || !isUtf8(b)) return new Uint8Array(b);
  return b.toString('utf8');
}

function readValue(r: PayloadReader, t: ParamType): Cell {
  switch (t.type) {
    case T.NULL:
      return null;
    case T.TINY: {
      const v = r.u8();
      return t.unsigned ? v : (v << 24) >> 24;
    }
    case T.SHORT:
    case T.YEAR: {
      const v = r.u16();
      return t.unsigned ? v : (v << 16) >> 16;
    }
    case T.LONG:
    case T.INT24: {
      const v = r.u32();
      return t.unsigned ? v : v | 0;
    }
    case T.LONGLONG: {
      const b = r.bytes(8);
      return t.unsigned ? b.readBigUInt64LE(0) : b.readBigInt64LE(0);
    }
    case T.FLOAT:
      return r.bytes(4).readFloatLE(0);
    case T.DOUBLE:
      return r.bytes(8).readDoubleLE(0);
    case T.DATE:
    case T.DATETIME:
    case T.TIMESTAMP: {
      const b = r.bytes(r.u8());
      if (![0, 4, 7, 11].includes(b.length)) throw wrongArguments('bad temporal length');
      return decodeBinaryDateTime(b, t.type === T.DATE);
    }
    case T.TIME: {
      const b = r.bytes(r.u8());
      if (![0, 8, 12].includes(b.length)) throw wrongArguments('bad time length');
      return decodeBinaryTime(b);
    }
    case T.DECIMAL:
    case T.NEWDECIMAL:
      return r.lenencStr();
    case T.VARCHAR:
    case T.VAR_STRING:
    case T.STRING:
    case T.ENUM:
    case T.SET:
    case T.JSON:
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
    case T.GEOMETRY:
    case T.BIT:
      return stringOrBytes(r.lenencBytes(), t.type);
    default:
      throw wrongArguments(`unsupported parameter type ${t.type}`);
  }
}

/** Value of a parameter whose data came in COM_STMT_SEND_LONG_DATA packets. */
export function longDataValue(data: Buffer, t: ParamType | undefined): Cell {
  return stringOrBytes(data, t?.type ?? T.BLOB);
}

/**
 * Decodes COM_STMT_EXECUTE for a statement with `paramCount` parameters: NULL bitmap, new-params-bound flag,
 * types (or `previousTypes` when not re-bound), values. Parameters listed in `longData` take their value
 * from there (their bytes are not in the packet). Truncated or inconsistent packets throw ER 1210.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html
 */
export function decodeStmtExecute(
  payload: Buffer,
  paramCount: number,
  previousTypes: readonly ParamType[] | null,
  longData?: ReadonlyMap<number, Buffer>,
): StmtExecute {
  try {
    const r = new PayloadReader(payload, 1);
    const statementId = r.u32();
    const flags = r.u8();
    r.u32(); // iteration count, always 1
    if (paramCount === 0) return { statementId, flags, types: previousTypes ?? [], values: [] };
    const nullBitmap = r.bytes((paramCount + 7) >> 3);
    let types = previousTypes;
    if (r.u8() === 1) {
      const fresh: ParamType[] = [];
      for (let i = 0; i < paramCount; i++) {
        const type = r.u8();
        fresh.push({ type, unsigned: (r.u8() & 0x80) !== 0 });
      }
      types = fresh;
    }
    if (!types || types.length !== paramCount) throw wrongArguments('parameter types were never bound');
    const values: Cell[] = [];
    for (let i = 0; i < paramCount; i++) {
      const long = longData?.get(i);
      if (long !== undefined) values.push(longDataValue(long, types[i]));
      else if (nullBitmap[i >> 3] & (1 << (i & 7))) values.push(null);
      else values.push(readValue(r, types[i]));
    }
    return { statementId, flags, types, values };
  } catch (err) {
    if (err instanceof LakecastError && err.errno === 1210) throw err;
    throw wrongArguments('truncated packet');
  }
}

/** Writes a COM_STMT_EXECUTE with all parameters sent as VAR_STRING/NULL (test clients). */
export function writeStmtExecute(
  w: PacketWriter,
  statementId: number,
  values: readonly (string | null)[],
): void {
  w.begin();
  w.u8(0x17);
  w.u32(statementId);
  w.u8(0);
  w.u32(1);
  if (values.length > 0) {
    const bitmap = Buffer.alloc((values.length + 7) >> 3);
    values.forEach((v, i) => {
      if (v === null) bitmap[i >> 3] |= 1 << (i & 7);
    });
    w.bytes(bitmap);
    w.u8(1);
    for (const v of values) w.u16(v === null ? T.NULL : T.VAR_STRING);
    for (const v of values) if (v !== null) w.lenencStr(v);
  }
  w.end();
}
