import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrambleNativePassword } from '../../../src/mysql-protocol/auth/native-password.js';
import { PacketWriter } from '../../../src/mysql-protocol/codec/packet-writer.js';
import { Capability, ColumnType } from '../../../src/mysql-protocol/constants.js';
import type { MysqlServer } from '../../../src/mysql-protocol/index.js';
import { decodeAuthSwitchRequest } from '../../../src/mysql-protocol/packets/auth-switch-request.js';
import { decodeErr } from '../../../src/mysql-protocol/packets/err.js';
import { writeHandshakeResponse41 } from '../../../src/mysql-protocol/packets/handshake-response41.js';
import { decodeHandshakeV10 } from '../../../src/mysql-protocol/packets/handshake-v10.js';
import { writeStmtExecute } from '../../../src/mysql-protocol/packets/stmt-execute.js';
import { decodeStmtPrepareOk } from '../../../src/mysql-protocol/packets/stmt-prepare-ok.js';
import { decodeTextRow } from '../../../src/mysql-protocol/packets/text-row.js';
import { ROOT_PASSWORD, startServer } from './fake-session.js';
import { CLIENT_CAPS, RawClient } from './raw-client.js';

let server: MysqlServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startServer({ maxPacketBytes: 1024 * 1024 }));
});
afterAll(async () => {
  await server.close();
});

/** The server still serves a fresh, well-behaved connection. */
async function expectHealthy(): Promise<void> {
  const c = await RawClient.connect(port);
  expect((await c.login('root', ROOT_PASSWORD))[0]).toBe(0x00);
  c.query('select 2');
  const r = await c.readResult();
  expect(r.rows).toHaveLength(2);
  c.close();
}

async function loggedIn(extraCaps = 0): Promise<RawClient> {
  const c = await RawClient.connect(port);
  expect((await c.login('root', ROOT_PASSWORD, extraCaps))[0]).toBe(0x00);
  return c;
}

const errOf = (p: { payload: Buffer } | null) => (p && p.payload[0] === 0xff ? decodeErr(p.payload) : null);

describe('hostile input - connection phase', () => {
  it('garbage before the handshake response (HTTP request) → ERR 1153 and close', async () => {
    const c = await RawClient.connect(port);
    await c.read();
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(errOf(await c.read())).toMatchObject({ errno: 1153, sqlState: '08S01' });
    await c.waitClosed();
    await expectHealthy();
  });

  it('short garbage packet → ERR 1043 Bad handshake and close', async () => {
    const c = await RawClient.connect(port);
    await c.read();
    c.send(Buffer.from('ffffffff00', 'hex'), 1);
    expect(errOf(await c.read())).toMatchObject({ errno: 1043, sqlState: '08S01' });
    await c.waitClosed();
    await expectHealthy();
  });

  it('handshake response with an auth-data length running past the packet → 1043', async () => {
    const c = await RawClient.connect(port);
    await c.read();
    const w = new PacketWriter();
    w.seq = 1;
    w.begin();
    w.u32(CLIENT_CAPS);
    w.u32(1 << 24);
    w.u8(45);
    w.zeros(23);
    w.strNul('root');
    w.u8(200); // lenenc auth data length 200, only 3 bytes follow
    w.bytes(Buffer.from([1, 2, 3]));
    w.end();
    c.socket.write(w.take());
    expect(errOf(await c.read())).toMatchObject({ errno: 1043 });
    await c.waitClosed();
    await expectHealthy();
  });

  it('truncated packet then disconnect → connection cleaned up, others fine', async () => {
    const c = await RawClient.connect(port);
    await c.read();
    c.socket.write(Buffer.from('6400000100000000', 'hex')); // claims 100 bytes, sends 4
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await expectHealthy();
  });

  it('client starting with caching_sha2_password is switched to mysql_native_password', async () => {
    const c = await RawClient.connect(port);
    const g = decodeHandshakeV10((await c.read())!.payload);
    expect(g.serverVersion).toBe('8.0.36-Lakecast-0.1.0');
    expect(g.capabilities & Capability.PLUGIN_AUTH).toBeTruthy();
    const w = new PacketWriter();
    w.seq = 1;
    writeHandshakeResponse41(w, {
      capabilities: CLIENT_CAPS | Capability.CONNECT_WITH_DB,
      maxPacketSize: 1 << 24,
      charset: 255,
      user: 'root',
      authData: Buffer.alloc(32, 9),
      database: 'lake',
      authPluginName: 'caching_sha2_password',
      attributes: {},
    });
    c.socket.write(w.take());
    const sw = (await c.read())!;
    expect(sw.seq).toBe(2);
    const req = decodeAuthSwitchRequest(sw.payload);
    expect(req.pluginName).toBe('mysql_native_password');
    expect(req.data).toHaveLength(20);
    c.send(scrambleNativePassword(ROOT_PASSWORD, req.data), 3);
    const ok = (await c.read())!;
    expect([ok.payload[0], ok.seq]).toEqual([0x00, 4]);
    c.close();
  });

  it('auth switch answered with a wrong password → 1045', async () => {
    const c = await RawClient.connect(port);
    await c.read();
    const w = new PacketWriter();
    w.seq = 1;
    writeHandshakeResponse41(w, {
      capabilities: CLIENT_CAPS,
      maxPacketSize: 1 << 24,
      charset: 45,
      user: 'root',
      authData: Buffer.alloc(32, 9),
      database: null,
      authPluginName: 'sha256_password',
      attributes: {},
    });
    c.socket.write(w.take());
    const req = decodeAuthSwitchRequest((await c.read())!.payload);
    c.send(scrambleNativePassword('wrong', req.data), 3);
    expect(errOf(await c.read())).toMatchObject({ errno: 1045, sqlState: '28000' });
    await c.waitClosed();
  });
});

describe('credential store failure', () => {
  it('lookupNativeHash throwing → 1105 internal error (not access denied), nothing leaked', async () => {
    const s = await startServer({
      hooks: {
        lookupNativeHash: async () => {
          throw new Error('catalog at /var/lib/lakecast is locked');
        },
        openSession: async () => {
          throw new Error('unreachable');
        },
      },
    });
    const c = await RawClient.connect(s.port);
    const answer = await c.login('root', ROOT_PASSWORD);
    expect(decodeErr(answer)).toEqual({ errno: 1105, sqlState: 'HY000', message: 'internal error' });
    await c.waitClosed();
    await s.server.close();
  });
});

describe('timeouts', () => {
  it('a client that never answers the greeting is dropped after connect_timeout', async () => {
    const s = await startServer({ connectTimeoutSeconds: 0.2 });
    const c = await RawClient.connect(s.port);
    await c.read();
    expect(errOf(await c.read())).toMatchObject({ errno: 1043, message: 'Bad handshake: connect timeout' });
    await c.waitClosed();
    await s.server.close();
  });
});

describe('hostile input - command phase', () => {
  it('COM_INIT_DB: OK, or the session error (1049) with the connection kept', async () => {
    const c = await loggedIn();
    c.send(Buffer.from([0x02, ...Buffer.from('lake')]));
    expect((await c.read())!.payload[0]).toBe(0x00);
    c.send(Buffer.from([0x02, ...Buffer.from('nope')]));
    expect(errOf(await c.read())).toMatchObject({ errno: 1049, message: "Unknown database 'nope'" });
    c.send(Buffer.from([0x0e]));
    expect((await c.read())!.payload[0]).toBe(0x00);
    c.close();
  });

  it('unknown command byte and empty packet → ERR 1047, connection kept', async () => {
    const c = await loggedIn();
    c.send(Buffer.from([0x7f, 1, 2]));
    expect(errOf(await c.read())).toMatchObject({ errno: 1047, sqlState: '08S01' });
    c.send(Buffer.alloc(0));
    expect(errOf(await c.read())).toMatchObject({ errno: 1047 });
    c.send(Buffer.from([0x0e]));
    const pong = (await c.read())!;
    expect([pong.payload[0], pong.seq]).toEqual([0x00, 1]);
    c.close();
  });

  it('packet header claiming more than maxPacketBytes → ERR 1153 then close; others fine', async () => {
    const c = await loggedIn();
    c.socket.write(Buffer.from('ffffff00', 'hex'));
    expect(errOf(await c.read())).toMatchObject({ errno: 1153 });
    await c.waitClosed();
    await expectHealthy();
  });

  it('multi-packet command above maxPacketBytes → 1153', async () => {
    const c = await loggedIn();
    c.socket.write(Buffer.concat([Buffer.from('ffffff00', 'hex'), Buffer.alloc(1000, 0x03)]));
    expect(errOf(await c.read())).toMatchObject({ errno: 1153 });
    await c.waitClosed();
  });

  it('COM_STMT_EXECUTE: unknown id → 1243, truncated params → 1210, unbound types → 1210; then a good one', async () => {
    const c = await loggedIn();
    const exec = (id: number, values: (string | null)[]) => {
      const w = new PacketWriter();
      writeStmtExecute(w, id, values);
      c.socket.write(w.take());
    };
    exec(12345, []);
    expect(errOf(await c.read())).toMatchObject({ errno: 1243, sqlState: 'HY000' });

    c.send(Buffer.concat([Buffer.from([0x16]), Buffer.from('echo ?, ?')]));
    const prep = decodeStmtPrepareOk((await c.read())!.payload);
    expect(prep.paramCount).toBe(2);
    for (let i = 0; i < 3; i++) await c.read(); // 2 param definitions + EOF

    exec(prep.statementId, ['only one']); // wrong param count: types and values for 1 of 2
    expect(errOf(await c.read())).toMatchObject({ errno: 1210 });

    const w = new PacketWriter();
    w.begin();
    w.bytes(Buffer.from([0x17, ...Buffer.from(Uint32Array.of(prep.statementId).buffer), 0, 1, 0, 0, 0]));
    w.u8(0); // null bitmap
    w.u8(0); // new-params-bound = 0 but no types were ever bound
    w.end();
    c.socket.write(w.take());
    expect(errOf(await c.read())).toMatchObject({ errno: 1210 });

    const t = new PacketWriter();
    t.begin();
    t.bytes(Buffer.from([0x17, ...Buffer.from(Uint32Array.of(prep.statementId).buffer), 0, 1, 0, 0, 0]));
    t.u8(0);
    t.u8(1);
    t.u16(ColumnType.LONGLONG);
    t.u16(ColumnType.VAR_STRING);
    t.bytes(Buffer.from([1, 2, 3])); // truncated LONGLONG
    t.end();
    c.socket.write(t.take());
    expect(errOf(await c.read())).toMatchObject({ errno: 1210 });

    exec(prep.statementId, ['a', null]);
    const r = await c.readResult();
    expect(r.err).toBeUndefined();
    expect(r.rows).toHaveLength(1);
    c.close();
  });

  it('COM_STMT_SEND_LONG_DATA accumulates; COM_STMT_RESET clears; COM_STMT_CLOSE forgets', async () => {
    const c = await loggedIn();
    c.send(Buffer.concat([Buffer.from([0x16]), Buffer.from('echo ?')]));
    const prep = decodeStmtPrepareOk((await c.read())!.payload);
    await c.read();
    await c.read();
    const id = Buffer.from(Uint32Array.of(prep.statementId).buffer);
    c.send(Buffer.concat([Buffer.from([0x18]), id, Buffer.from([0, 0]), Buffer.from('hello ')]));
    c.send(Buffer.concat([Buffer.from([0x18]), id, Buffer.from([0, 0]), Buffer.from('world')]));
    const w = new PacketWriter();
    w.begin();
    w.bytes(Buffer.from([0x17, ...id, 0, 1, 0, 0, 0, 0, 1]));
    w.u16(ColumnType.BLOB);
    w.end();
    c.socket.write(w.take());
    const r = await c.readResult();
    expect(decodeTextRow(r.rows[0].subarray(2), 1)) // binary row: header + 1-byte NULL bitmap
      .toEqual(['["hex:68656c6c6f20776f726c64"]']);
    c.send(Buffer.concat([Buffer.from([0x1a]), id]));
    expect((await c.read())!.payload[0]).toBe(0x00);
    c.send(Buffer.concat([Buffer.from([0x1a]), Buffer.from([9, 9, 9, 9])]));
    expect(errOf(await c.read())).toMatchObject({ errno: 1243 });
    c.send(Buffer.concat([Buffer.from([0x19]), id]));
    c.send(Buffer.concat([Buffer.from([0x1a]), id]));
    expect(errOf(await c.read())).toMatchObject({ errno: 1243 });
    c.close();
  });

  it('DEPRECATE_EOF: no EOF after columns, OK(0xFE) terminator; without it EOF packets; sequence ids restart', async () => {
    const modern = await loggedIn(Capability.DEPRECATE_EOF);
    modern.query('select 3');
    const packets = [];
    for (let i = 0; i < 1 + 5 + 3 + 1; i++) packets.push((await modern.read())!);
    expect(packets.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(packets[6].payload[0]).not.toBe(0xfe); // first row right after the definitions
    expect(packets[9].payload.toString('hex')).toBe('fe000002000000');
    modern.query('select 1');
    expect((await modern.read())!.seq).toBe(1);
    modern.close();

    const legacy = await loggedIn();
    legacy.query('select 3');
    const lp = [];
    for (let i = 0; i < 1 + 5 + 1 + 3 + 1; i++) lp.push((await legacy.read())!);
    expect(lp[6].payload.toString('hex')).toBe('fe00000200');
    expect(lp[10].payload.toString('hex')).toBe('fe00000200');
    legacy.close();
  });

  it('long data above maxPacketBytes → execute fails with 1210, memory not kept; the statement still works after', async () => {
    const c = await loggedIn();
    c.send(Buffer.concat([Buffer.from([0x16]), Buffer.from('echo ?')]));
    const prep = decodeStmtPrepareOk((await c.read())!.payload);
    await c.read();
    await c.read();
    const id = Buffer.from(Uint32Array.of(prep.statementId).buffer);
    for (let i = 0; i < 3; i++)
      c.send(Buffer.concat([Buffer.from([0x18]), id, Buffer.from([0, 0]), Buffer.alloc(500_000, 0x61)]));
    const exec = () => {
      const w = new PacketWriter();
      w.begin();
      w.bytes(Buffer.from([0x17, ...id, 0, 1, 0, 0, 0, 0, 1]));
      w.u16(ColumnType.BLOB);
      w.lenencStr('ok');
      w.end();
      c.socket.write(w.take());
    };
    exec();
    expect(errOf(await c.read())).toMatchObject({
      errno: 1210,
      message: expect.stringContaining('max_allowed_packet'),
    });
    exec();
    const r = await c.readResult();
    expect(r.err).toBeUndefined();
    c.close();
  });

  it('DEPRECATE_EOF: an error after rows replaces the OK terminator with ERR', async () => {
    const c = await loggedIn(Capability.DEPRECATE_EOF);
    c.query('midfail 4');
    const r = await c.readResult(true);
    expect(r.rows).toHaveLength(4);
    expect(r.err).toMatchObject({ errno: 3024, message: 'engine gave up' });
    c.close();
  });

  it('COM_FIELD_LIST, COM_SET_OPTION, COM_STATISTICS, COM_QUIT', async () => {
    const c = await loggedIn();
    c.send(Buffer.from([0x04, ...Buffer.from('t\0')]));
    expect((await c.read())!.payload.toString('hex')).toBe('fe00000200');
    c.send(Buffer.from([0x1b, 0, 0]));
    expect((await c.read())!.payload[0]).toBe(0xfe);
    c.send(Buffer.from([0x09]));
    expect((await c.read())!.payload.toString()).toMatch(/^Uptime: \d+/);
    c.send(Buffer.from([0x01]));
    await c.waitClosed();
  });

  it('sequence of 300 pings: sequence ids reset each command (no wrap problems)', async () => {
    const c = await loggedIn();
    for (let i = 0; i < 300; i++) c.send(Buffer.from([0x0e]));
    for (let i = 0; i < 300; i++) expect((await c.read())!.seq).toBe(1);
    c.close();
    await expectHealthy();
  });
});
