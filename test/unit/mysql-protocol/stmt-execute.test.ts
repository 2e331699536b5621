import { describe, expect, it } from 'vitest';
import { ColumnType as T } from '../../../src/mysql-protocol/constants.js';
import { decodeStmtExecute, type ParamType } from '../../../src/mysql-protocol/packets/stmt-execute.js';

/** Builds a COM_STMT_EXECUTE payload from hex pieces. */
function exec(id: number, parts: string): Buffer {
  const head = Buffer.alloc(10);
  head[0] = 0x17;
  head.writeUInt32LE(id, 1);
  head[5] = 0;
  head.writeUInt32LE(1, 6);
  return Buffer.concat([head, Buffer.from(parts, 'hex')]);
}
const le = (v: number, bytes: number): string => {
  const b = Buffer.alloc(bytes);
  b.writeUIntLE(v, 0, bytes);
  return b.toString('hex');
};

describe('COM_STMT_EXECUTE decoding', () => {
  it('every parameter type, signed and unsigned', () => {
    const types: [number, number][] = [
      [T.TINY, 0],
      [T.TINY, 0x80],
      [T.SHORT, 0],
      [T.LONG, 0],
      [T.LONG, 0x80],
      [T.LONGLONG, 0],
      [T.LONGLONG, 0x80],
      [T.FLOAT, 0],
      [T.DOUBLE, 0],
      [T.NEWDECIMAL, 0],
      [T.VAR_STRING, 0],
      [T.BLOB, 0],
      [T.DATE, 0],
      [T.DATETIME, 0],
      [T.TIMESTAMP, 0],
      [T.TIME, 0],
      [T.NULL, 0],
      [T.VAR_STRING, 0],
    ];
    const n = types.length;
    const bitmap = Buffer.alloc((n + 7) >> 3);
    bitmap[(n - 1) >> 3] |= 1 << ((n - 1) & 7); // last one NULL via bitmap
    bitmap[16 >> 3] |= 1 << (16 & 7); // MYSQL_TYPE_NULL also flagged
    const f = Buffer.alloc(4);
    f.writeFloatLE(1.5);
    const d = Buffer.alloc(8);
    d.writeDoubleLE(-2.25);
    const values =
      'ff' +
      'ff' +
      le(0xfffe, 2) +
      le(0xffffffff, 4) +
      le(0xffffffff, 4) +
      'ffffffffffffffff' +
      'ffffffffffffffff' +
      f.toString('hex') +
      d.toString('hex') +
      '05' +
      Buffer.from('12.50').toString('hex') +
      '03' +
      Buffer.from('héllo'.slice(0, 2)).toString('hex').slice(0, 6) +
      '0300ff01' +
      '04e807021d' +
      '0be807021d0d2d077b000000' +
      '07e807021d0d2d07' +
      '0c0101000000010203' +
      '40e20100';
    const payload = exec(
      1,
      bitmap.toString('hex') + '01' + types.map(([t, u]) => le(t, 1) + le(u, 1)).join('') + values,
    );
    const out = decodeStmtExecute(payload, n, null);
    expect(out.statementId).toBe(1);
    expect(out.values).toEqual([
      -1,
      255,
      -2,
      -1,
      4294967295,
      -1n,
      18446744073709551615n,
      1.5,
      -2.25,
      '12.50',
      'hé',
      new Uint8Array([0, 255, 1]),
      '2024-02-29',
      '2024-02-29 13:45:07.000123',
      '2024-02-29 13:45:07',
      '-25:02:03.123456',
      null,
      null,
    ]);
  });

  it('remembers types when new-params-bound is 0', () => {
    const first = decodeStmtExecute(exec(2, '00' + '01' + le(T.LONG, 1) + '00' + le(7, 4)), 1, null);
    expect(first.values).toEqual([7]);
    const again = decodeStmtExecute(exec(2, '00' + '00' + le(9, 4)), 1, first.types as ParamType[]);
    expect(again.values).toEqual([9]);
  });

  it('no types ever bound → 1210', () => {
    expect(() => decodeStmtExecute(exec(2, '00' + '00' + le(9, 4)), 1, null)).toThrow(
      expect.objectContaining({ errno: 1210 }),
    );
  });

  it('truncated values → 1210', () => {
    expect(() =>
      decodeStmtExecute(exec(2, '00' + '01' + le(T.LONGLONG, 1) + '00' + '0102'), 1, null),
    ).toThrow(expect.objectContaining({ errno: 1210 }));
    expect(() =>
      decodeStmtExecute(exec(2, '00' + '01' + le(T.VAR_STRING, 1) + '00' + 'fc'), 1, null),
    ).toThrow(expect.objectContaining({ errno: 1210 }));
    expect(() => decodeStmtExecute(exec(2, '00' + '01' + le(T.DATE, 1) + '00' + '0201'), 1, null)).toThrow(
      expect.objectContaining({ errno: 1210 }),
    );
  });

  it('long data replaces the parameter value; invalid UTF-8 in VAR_STRING becomes bytes', () => {
    const out = decodeStmtExecute(
      exec(3, '00' + '01' + le(T.BLOB, 1) + '00' + le(T.VAR_STRING, 1) + '00' + '02c328'),
      2,
      null,
      new Map([[0, Buffer.from('long')]]),
    );
    expect(out.values).toEqual([new Uint8Array(Buffer.from('long')), new Uint8Array([0xc3, 0x28])]);
  });
});
