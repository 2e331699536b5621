import { describe, expect, it } from 'vitest';
import { PacketWriter } from '../../../src/mysql-protocol/codec/packet-writer.js';
import { Capability } from '../../../src/mysql-protocol/constants.js';
import {
  decodeAuthSwitchRequest,
  writeAuthSwitchRequest,
} from '../../../src/mysql-protocol/packets/auth-switch-request.js';
import { binaryRowEncoder } from '../../../src/mysql-protocol/packets/binary-row.js';
import {
  decodeColumnDefinition41,
  writeColumnDefinition41,
} from '../../../src/mysql-protocol/packets/column-definition41.js';
import { isEof, writeEof } from '../../../src/mysql-protocol/packets/eof.js';
import { decodeErr, writeErr } from '../../../src/mysql-protocol/packets/err.js';
import {
  decodeHandshakeResponse41,
  writeHandshakeResponse41,
} from '../../../src/mysql-protocol/packets/handshake-response41.js';
import { decodeHandshakeV10, writeHandshakeV10 } from '../../../src/mysql-protocol/packets/handshake-v10.js';
import { decodeOk, writeOk } from '../../../src/mysql-protocol/packets/ok.js';
import {
  decodeSslRequest,
  isSslRequest,
  writeSslRequest,
} from '../../../src/mysql-protocol/packets/ssl-request.js';
import {
  decodeStmtPrepareOk,
  writeStmtPrepareOk,
} from '../../../src/mysql-protocol/packets/stmt-prepare-ok.js';
import { decodeTextRow, writeTextRow } from '../../../src/mysql-protocol/packets/text-row.js';

/** Encodes with a fresh writer starting at `seq` and returns the bytes as hex. */
function hex(seq: number, write: (w: PacketWriter) => void): string {
  const w = new PacketWriter(64);
  w.seq = seq;
  write(w);
  return w.take().toString('hex');
}
const payloadOf = (h: string): Buffer => Buffer.from(h, 'hex').subarray(4);

describe('packets - golden hex', () => {
  it('OK - empty, autocommit', () => {
    expect(hex(1, (w) => writeOk(w, { statusFlags: 2 }))).toBe('07000001' + '00000002000000');
  });

  it('OK - affected rows, insert id, warnings, length-encoded info', () => {
    const h = hex(1, (w) =>
      writeOk(w, { affectedRows: 3, lastInsertId: 42, statusFlags: 2, warnings: 1, info: 'Records: 3' }),
    );
    expect(h).toBe('12000001' + '00032a020001000a' + Buffer.from('Records: 3').toString('hex'));
    expect(decodeOk(payloadOf(h))).toEqual({
      affectedRows: 3,
      lastInsertId: 42,
      statusFlags: 2,
      warnings: 1,
      info: 'Records: 3',
    });
  });

  it('OK - 0xFE header terminates a result set under DEPRECATE_EOF', () => {
    expect(hex(5, (w) => writeOk(w, { statusFlags: 2 }, 0xfe))).toBe('07000005' + 'fe000002000000');
  });

  it('ERR - errno, #SQLSTATE, message', () => {
    const h = hex(2, (w) => writeErr(w, { errno: 1045, sqlState: '28000', message: 'Access denied' }));
    expect(h).toBe('16000002' + 'ff1504' + '23' + Buffer.from('28000Access denied').toString('hex'));
    expect(decodeErr(payloadOf(h))).toEqual({ errno: 1045, sqlState: '28000', message: 'Access denied' });
  });

  it('EOF - warnings and status', () => {
    const h = hex(3, (w) => writeEof(w, 2));
    expect(h).toBe('05000003' + 'fe00000200');
    expect(isEof(payloadOf(h))).toBe(true);
  });

  it('column definition - INTEGER', () => {
    const h = hex(2, (w) => writeColumnDefinition41(w, { name: 'id', type: 'INTEGER' }));
    expect(h).toBe(
      '1a000002' +
        '03646566' +
        '000000' +
        '026964' +
        '026964' +
        '0c' +
        '3f00' +
        '0b000000' +
        '03' +
        '8080' +
        '00' +
        '0000',
    );
  });

  it('column definition - VARCHAR utf8mb4, DECIMAL(10,2), unsigned BIGINT, BLOB round-trip', () => {
    const v = decodeColumnDefinition41(
      payloadOf(
        hex(0, (w) => writeColumnDefinition41(w, { name: 'v', type: 'VARCHAR', table: 't', schema: 's' })),
      ),
    );
    expect(v).toMatchObject({ schema: 's', table: 't', orgTable: 't', name: 'v', type: 253, charset: 45 });
    const d = decodeColumnDefinition41(
      payloadOf(
        hex(0, (w) => writeColumnDefinition41(w, { name: 'd', type: 'DECIMAL', precision: 10, scale: 2 })),
      ),
    );
    expect(d).toMatchObject({ type: 246, length: 12, decimals: 2, charset: 63 });
    const u = decodeColumnDefinition41(
      payloadOf(hex(0, (w) => writeColumnDefinition41(w, { name: 'u', type: 'UBIGINT', nullable: false }))),
    );
    expect(u).toMatchObject({ type: 8, flags: 0x8000 | 0x80 | 0x20 | 0x1 });
    const b = decodeColumnDefinition41(
      payloadOf(hex(0, (w) => writeColumnDefinition41(w, { name: 'b', type: 'BLOB' }))),
    );
    expect(b).toMatchObject({ type: 252, charset: 63, flags: 0x90 });
  });

  it('text row - ints, strings, NULL, booleans, bigints, blobs', () => {
    const h = hex(4, (w) =>
      writeTextRow(w, [1, 'ab', null, true, -12, 10n ** 20n, new Uint8Array([0xff])], 7),
    );
    const payload =
      '0131' +
      '026162' +
      'fb' +
      '0131' +
      '032d3132' +
      '15' +
      Buffer.from('100000000000000000000').toString('hex') +
      '01ff';
    expect(h).toBe((payload.length / 2).toString(16).padStart(2, '0') + '000004' + payload);
    expect(decodeTextRow(payloadOf(h), 6)).toEqual(['1', 'ab', null, '1', '-12', '100000000000000000000']);
  });

  it('text row - integers digit by digit match String()', () => {
    for (const n of [
      0, 9, 10, 99, 2147483647, 2147483648, -2147483648, 9007199254740991, -9007199254740991, 1.25, -0.5,
    ]) {
      const h = hex(0, (w) => writeTextRow(w, [n], 1));
      expect(decodeTextRow(payloadOf(h), 1)).toEqual([String(n)]);
    }
  });

  it('text row - multi-byte and long strings use the UTF-8 byte length', () => {
    const long = 'é'.repeat(300);
    const h = hex(0, (w) => writeTextRow(w, ['héllo ✓', long], 2));
    expect(decodeTextRow(payloadOf(h), 2)).toEqual(['héllo ✓', long]);
    expect(payloadOf(h)[0]).toBe(Buffer.byteLength('héllo ✓'));
  });

  it('binary row - header, NULL bitmap offset 2, INTEGER, DATE', () => {
    const enc = binaryRowEncoder([
      { name: 'a', type: 'INTEGER' },
      { name: 'b', type: 'VARCHAR' },
      { name: 'c', type: 'DATE' },
    ]);
    expect(hex(1, (w) => enc(w, [7, null, '2024-02-29']))).toBe(
      '0b000001' + '00' + '08' + '07000000' + '04e807021d',
    );
  });

  it('binary row - DATETIME with micros, TIME negative with days, BIGINT, DOUBLE', () => {
    const enc = binaryRowEncoder([
      { name: 'a', type: 'TIMESTAMP' },
      { name: 'b', type: 'TIME' },
      { name: 'c', type: 'BIGINT' },
      { name: 'd', type: 'DOUBLE' },
    ]);
    const h = hex(0, (w) => enc(w, ['2024-02-29 13:45:07.000123', '-25:00:01', -1n, 0.5]));
    expect(h.slice(8)).toBe(
      '00' +
        '00' +
        '0be807021d0d2d077b000000' +
        '080101000000010001' +
        'ffffffffffffffff' +
        '000000000000e03f',
    );
  });

  it('handshake v10 - layout and round trip', () => {
    const scramble = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');
    const h = hex(0, (w) =>
      writeHandshakeV10(w, {
        serverVersion: '8.0.36-Lakecast',
        connectionId: 7,
        scramble,
        capabilities: 0x81fff7ff,
        charset: 45,
        statusFlags: 2,
        authPluginName: 'mysql_native_password',
      }),
    );
    const p = payloadOf(h);
    expect(h.slice(8, 10)).toBe('0a');
    expect(p.subarray(1, 17).toString()).toBe('8.0.36-Lakecast\0');
    expect(p.readUInt32LE(17)).toBe(7);
    expect(p.subarray(21, 29)).toEqual(scramble.subarray(0, 8));
    expect(p[29]).toBe(0);
    expect(p.readUInt16LE(30)).toBe(0xf7ff);
    expect(p[32]).toBe(45);
    expect(p.readUInt16LE(33)).toBe(2);
    expect(p.readUInt16LE(35)).toBe(0x81ff);
    expect(p[37]).toBe(21);
    expect(decodeHandshakeV10(p)).toEqual({
      serverVersion: '8.0.36-Lakecast',
      connectionId: 7,
      scramble,
      capabilities: 0x81fff7ff,
      charset: 45,
      statusFlags: 2,
      authPluginName: 'mysql_native_password',
    });
  });

  it('handshake response 41 - round trip with db, plugin and attributes; truncated → malformed', () => {
    const caps =
      Capability.PROTOCOL_41 |
      Capability.SECURE_CONNECTION |
      Capability.PLUGIN_AUTH |
      Capability.CONNECT_WITH_DB |
      Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA;
    const fields = {
      capabilities: caps,
      maxPacketSize: 16777216,
      charset: 45,
      user: 'root',
      authData: Buffer.alloc(20, 7),
      database: 'lake',
      authPluginName: 'caching_sha2_password',
      attributes: {},
    };
    const p = payloadOf(hex(1, (w) => writeHandshakeResponse41(w, fields)));
    expect(decodeHandshakeResponse41(p)).toEqual(fields);
    expect(() => decodeHandshakeResponse41(p.subarray(0, 40))).toThrow(/Malformed/);
    const attrs = Buffer.concat([p, Buffer.from([0x0e, 0x0c, ...Buffer.from('_client_name'), 0x00])]);
    expect(() => decodeHandshakeResponse41(attrs)).not.toThrow();
  });

  it('SSLRequest - 32 bytes with CLIENT_SSL', () => {
    const p = payloadOf(hex(1, (w) => writeSslRequest(w, Capability.PROTOCOL_41)));
    expect(p.length).toBe(32);
    expect(isSslRequest(p)).toBe(true);
    expect(decodeSslRequest(p).capabilities & Capability.SSL).toBe(Capability.SSL);
  });

  it('AuthSwitchRequest - plugin name and scramble + NUL', () => {
    const scramble = Buffer.alloc(20, 0x41);
    const h = hex(2, (w) => writeAuthSwitchRequest(w, 'mysql_native_password', scramble));
    expect(h).toBe(
      '2c000002' + 'fe' + Buffer.from('mysql_native_password\0').toString('hex') + '41'.repeat(20) + '00',
    );
    expect(decodeAuthSwitchRequest(payloadOf(h))).toEqual({
      pluginName: 'mysql_native_password',
      data: scramble,
    });
  });

  it('COM_STMT_PREPARE_OK', () => {
    const h = hex(1, (w) => writeStmtPrepareOk(w, { statementId: 1, columnCount: 2, paramCount: 1 }));
    expect(h).toBe('0c000001' + '00' + '01000000' + '0200' + '0100' + '00' + '0000');
    expect(decodeStmtPrepareOk(payloadOf(h))).toEqual({
      statementId: 1,
      columnCount: 2,
      paramCount: 1,
      warnings: 0,
    });
  });
});
