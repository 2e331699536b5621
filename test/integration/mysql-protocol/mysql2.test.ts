import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlServer } from '../../../src/mysql-protocol/index.js';
import { ROOT_PASSWORD, startServer } from './fake-session.js';

let server: MysqlServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(async () => {
  await server.close();
});

const connect = (extra: Partial<mysql.ConnectionOptions> = {}) =>
  mysql.createConnection({ host: '127.0.0.1', port, user: 'root', password: ROOT_PASSWORD, ...extra });

describe('mysql2 - text protocol (query)', () => {
  it('query - typed columns and rows', async () => {
    const c = await connect({ supportBigNumbers: true, bigNumberStrings: true });
    const [rows, fields] = await c.query<mysql.RowDataPacket[]>('select 3');
    expect(rows).toEqual([
      { id: 0, name: 'name-0', amount: '0.50', ratio: 0, big: '0' },
      { id: 1, name: 'name-1', amount: '1.50', ratio: 0.25, big: '1000000000' },
      { id: 2, name: 'name-2', amount: '2.50', ratio: 0.5, big: '2000000000' },
    ]);
    expect(fields.map((f) => [f.name, f.columnType])).toEqual([
      ['id', 3],
      ['name', 253],
      ['amount', 246],
      ['ratio', 5],
      ['big', 8],
    ]);
    await c.end();
  });

  it('query - every value type through text rows', async () => {
    const c = await connect({ supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    const [rows] = await c.query<mysql.RowDataPacket[]>('types');
    expect(rows[0]).toMatchObject({
      b: 1,
      ti: -5,
      si: -300,
      i: -70000,
      bi: '-9007199254740993',
      uti: 250,
      ubi: '18446744073709551615',
      hi: '170141183460469231731687303715884105727',
      dec: '12345.678',
      v: 'héllo ✓',
      bl: Buffer.from([0, 1, 2, 255]),
      dt: '2024-02-29',
      tm: '13:45:07.250000',
      ts: '2024-02-29 13:45:07.123456',
      j: { a: [1, 2] },
      n: null,
    });
    await c.end();
  });

  it('OK result - affected rows, insert id, info, warnings', async () => {
    const c = await connect();
    const [res] = await c.query<mysql.ResultSetHeader>('insert into t values (1)');
    expect(res).toMatchObject({ affectedRows: 3, insertId: 42, info: 'Records: 3', warningStatus: 1 });
    await c.end();
  });

  it('errors - LakecastError keeps errno/SQLSTATE; others are 1105 internal error; connection survives', async () => {
    const c = await connect();
    await expect(c.query('fail')).rejects.toMatchObject({ errno: 1064, sqlState: '42000' });
    const err = await c.query('boom').catch((e: Error) => e);
    expect(err).toMatchObject({ errno: 1105, sqlState: 'HY000', message: 'internal error' });
    expect(String((err as Error).message)).not.toContain('/home');
    await expect(c.query('midfail 5')).rejects.toMatchObject({ errno: 3024 });
    const [rows] = await c.query<mysql.RowDataPacket[]>('select 2');
    expect(rows).toHaveLength(2);
    await c.end();
  });

  it('database in the handshake, COM_PING, COM_RESET_CONNECTION', async () => {
    const c = await connect({ database: 'lake' });
    await c.ping();
    await c.end();
    const d = await connect();
    await d.ping();
    await d.reset();
    await d.ping();
    await d.end();
  });
});

describe('mysql2 - binary protocol (execute)', () => {
  it('execute - every parameter type', async () => {
    const c = await connect({ supportBigNumbers: true, bigNumberStrings: true });
    const T = mysql.TypedParameter;
    const [rows] = await c.execute<mysql.RowDataPacket[]>('echo ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?', [
      T.TINY(-5),
      T.TINY.unsigned(250),
      T.SHORT(-300),
      T.LONG(-70000),
      T.LONG.unsigned(4000000000),
      T.LONGLONG('-9007199254740993'),
      T.LONGLONG.unsigned('18446744073709551615'),
      T.FLOAT(1.5),
      T.DOUBLE(-2.25),
      T.NEWDECIMAL('12345.678'),
      'héllo ✓',
      Buffer.from([0, 1, 2, 255]),
      T.DATE('2024-02-29'),
      T.DATETIME('2024-02-29 13:45:07.123456'),
      T.TIMESTAMP('2024-02-29 13:45:07'),
      T.TIME('-25:02:03.5'),
      null,
      true,
    ]);
    expect(JSON.parse(rows[0].params)).toEqual([
      -5,
      250,
      -300,
      -70000,
      4000000000,
      '-9007199254740993n',
      '18446744073709551615n',
      1.5,
      -2.25,
      '12345.678',
      'héllo ✓',
      'hex:000102ff',
      '2024-02-29',
      '2024-02-29 13:45:07.123000', // mysql2 goes through a JS Date: milliseconds
      '2024-02-29 13:45:07',
      '-25:02:03.500000',
      null,
      1,
    ]);
    await c.end();
  });

  it('execute - types remembered across executes; plain JS values', async () => {
    const c = await connect();
    const stmt = await c.prepare('echo ?, ?');
    const [a] = await stmt.execute([1, 'x']);
    const [b] = await stmt.execute([2.5, 'y']);
    expect((a as mysql.RowDataPacket[])[0].params).toBe('[1,"x"]');
    expect((b as mysql.RowDataPacket[])[0].params).toBe('[2.5,"y"]');
    await stmt.close();
    await c.end();
  });

  it('execute - binary rows of every value type', async () => {
    const c = await connect({ supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
    const [rows] = await c.execute<mysql.RowDataPacket[]>('types');
    expect(rows[0]).toMatchObject({
      b: 1,
      ti: -5,
      si: -300,
      i: -70000,
      bi: '-9007199254740993',
      uti: 250,
      usi: 65000,
      ui: 4000000000,
      ubi: '18446744073709551615',
      hi: '170141183460469231731687303715884105727',
      f: 1.5,
      d: Math.PI,
      dec: '12345.678',
      v: 'héllo ✓',
      bl: Buffer.from([0, 1, 2, 255]),
      dt: '2024-02-29',
      ts: '2024-02-29 13:45:07.123456',
      tstz: '2024-02-29 13:45:07',
      n: null,
    });
    expect(rows[0].tm).toMatch(/^13:45:07\.25/);
    await c.end();
  });

  it('execute - prepared columns, many rows, errors', async () => {
    const c = await connect();
    const [rows] = await c.execute<mysql.RowDataPacket[]>('select 3000');
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toMatchObject({ id: 2999, name: 'name-2999', amount: '2999.50' });
    await expect(c.execute('fail ?', [1])).rejects.toMatchObject({ errno: 1064 });
    await expect(c.execute('midfail 3')).rejects.toMatchObject({ errno: 3024 });
    await c.end();
  });
});

describe('mysql2 - authentication and connection management', () => {
  it('wrong password and unknown user look the same (1045, 28000)', async () => {
    const wrong = await connect({ password: 'nope' }).catch((e) => e);
    const unknown = await connect({ user: 'ghost' }).catch((e) => e);
    expect(wrong).toMatchObject({ errno: 1045, sqlState: '28000' });
    expect(wrong.message).toBe("Access denied for user 'root'@'127.0.0.1' (using password: YES)");
    expect(unknown).toMatchObject({ errno: 1045 });
    expect(unknown.message).toBe("Access denied for user 'ghost'@'127.0.0.1' (using password: YES)");
    const noPw = await connect({ password: '' }).catch((e) => e);
    expect(noPw.message).toContain('(using password: NO)');
  });

  it('empty password account', async () => {
    const c = await connect({ user: 'nopw', password: '' });
    await c.ping();
    await c.end();
  });

  it('COM_CHANGE_USER - new session; wrong password → 1045', async () => {
    const { probe } = await import('./fake-session.js');
    const c = await connect();
    const closedBefore = probe.sessionsClosed;
    await c.changeUser({ user: 'root', password: ROOT_PASSWORD, database: 'lake' });
    expect(probe.sessionsClosed).toBe(closedBefore + 1);
    const [rows] = await c.query<mysql.RowDataPacket[]>('select 2');
    expect(rows).toHaveLength(2);
    c.on('error', () => {});
    await expect(c.changeUser({ user: 'root', password: 'bad' })).rejects.toMatchObject({ errno: 1045 });
    c.destroy();
  });

  it('unknown database in the handshake → 1049', async () => {
    await expect(connect({ database: 'nope' })).rejects.toMatchObject({ errno: 1049 });
  });

  it('connections() lists sessions; kill query → 1317; kill connection closes it', async () => {
    const events: string[] = [];
    server.on('query:finished', (e) => events.push(`${e.command}:${e.errno ?? 'ok'}`));
    const c = await connect();
    const [[row]] = await c.query<mysql.RowDataPacket[]>('select 1');
    expect(row.id).toBe(0);
    const running = c.query('sleep');
    await new Promise((r) => setTimeout(r, 100));
    const mine = server.connections().find((s) => s.currentSql === 'sleep');
    expect(mine).toMatchObject({ user: 'root', command: 'Query', tls: false });
    expect(server.kill(mine!.connectionId, { queryOnly: true })).toBe(true);
    await expect(running).rejects.toMatchObject({ errno: 1317, message: 'Query execution was interrupted' });
    await c.ping();
    expect(events).toContain('Query:1317');
    const closed = new Promise((r) => server.once('connection:closed', r));
    const running2 = c.query('sleep');
    await new Promise((r) => setTimeout(r, 100));
    server.kill(mine!.connectionId, { queryOnly: false });
    await expect(running2).rejects.toBeDefined();
    await closed;
    expect(server.connections().find((s) => s.connectionId === mine!.connectionId)).toBeUndefined();
    expect(server.kill(999999, { queryOnly: true })).toBe(false);
  });

  it('maxConnections → 1040 Too many connections; others keep working', async () => {
    const small = await startServer({ maxConnections: 2 });
    const a = await mysql.createConnection({
      host: '127.0.0.1',
      port: small.port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    const b = await mysql.createConnection({
      host: '127.0.0.1',
      port: small.port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    const err = await mysql
      .createConnection({ host: '127.0.0.1', port: small.port, user: 'root', password: ROOT_PASSWORD })
      .catch((e) => e);
    expect(err).toMatchObject({ errno: 1040, message: 'Too many connections' });
    await a.ping();
    await b.end();
    await new Promise((r) => setTimeout(r, 100));
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port: small.port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    await c.ping();
    await a.end();
    await c.end();
    await small.server.close();
  });

  it('wait_timeout closes idle connections with 4031', async () => {
    const idle = await startServer({ waitTimeoutSeconds: 0.3 });
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port: idle.port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    const gone = new Promise<unknown>((resolve) => c.on('error', resolve));
    await new Promise((r) => setTimeout(r, 600));
    await expect(c.query('select 1')).rejects.toBeDefined();
    expect(await gone).toMatchObject({ code: 4031, message: expect.stringContaining('inactivity') });
    await idle.server.close();
  });

  it('close() ends every connection', async () => {
    const s = await startServer();
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port: s.port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    c.on('error', () => {});
    await s.server.close();
    await expect(c.query('select 1')).rejects.toBeDefined();
  });
});
