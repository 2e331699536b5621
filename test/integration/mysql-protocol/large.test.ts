import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlServer } from '../../../src/mysql-protocol/index.js';
import { probe, ROOT_PASSWORD, startServer } from './fake-session.js';
import { countRows, RawClient } from './raw-client.js';

let server: MysqlServer;
let port: number;

beforeAll(async () => {
  ({ server, port } = await startServer());
});
afterAll(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('multi-packet payloads (> 16 MiB)', () => {
  it('a 17 MB value in both directions (parameter in, row out)', async () => {
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    const big = 'é'.repeat(8_600_000); // 17.2 MB of UTF-8
    const [[inRow]] = await c.execute<mysql.RowDataPacket[]>('length ?', [big]);
    expect(Number(inRow.len)).toBe(17_200_000);
    const [[outRow]] = await c.query<mysql.RowDataPacket[]>('big 17000000');
    expect(outRow.v.length).toBe(17_000_000);
    const [[exact]] = await c.query<mysql.RowDataPacket[]>(`big ${0xffffff - 4}`); // row payload exactly 0xFFFFFF (4-byte length prefix)
    expect(exact.v.length).toBe(0xffffff - 4);
    const [[again]] = await c.query<mysql.RowDataPacket[]>('select 1');
    expect(again.name).toBe('name-0');
    await c.end();
  });
});

describe('streaming with backpressure', () => {
  it('2M rows stream through while RSS stays within 100 MB of the start', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const client = await RawClient.connect(port);
    await client.login('root', ROOT_PASSWORD);
    client.socket.removeAllListeners('data');
    const counting = countRows(client.socket);
    client.query('select 2000000');
    expect(await counting).toBe(2_000_000);
    clearInterval(timer);
    client.close();
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('a paused client stops the producer (no buffering ahead); resuming finishes the result', async () => {
    probe.produced = 0;
    probe.stopped = false;
    const client = await RawClient.connect(port);
    await client.login('root', ROOT_PASSWORD);
    client.socket.removeAllListeners('data');
    client.socket.pause();
    client.query('stream 3000000');
    // Wait until the producer is blocked (no progress for 300 ms), however slow the machine is.
    let last = -1;
    for (let i = 0; i < 50 && (probe.produced === 0 || probe.produced !== last); i++) {
      last = probe.produced;
      await sleep(300);
    }
    const producedWhilePaused = probe.produced;
    expect(producedWhilePaused).toBeGreaterThan(0);
    expect(producedWhilePaused).toBeLessThan(500_000);
    await sleep(300);
    expect(probe.produced).toBe(producedWhilePaused);
    const counting = countRows(client.socket);
    client.socket.resume();
    expect(await counting).toBe(3_000_000);
    client.close();
  });

  it('client disconnecting mid-result stops the iterator and closes the session; others keep working', async () => {
    probe.produced = 0;
    probe.stopped = false;
    const closedBefore = probe.sessionsClosed;
    const client = await RawClient.connect(port);
    await client.login('root', ROOT_PASSWORD);
    client.query('stream 10000000');
    await client.read();
    await sleep(50);
    client.close();
    for (let i = 0; i < 40 && !probe.stopped; i++) await sleep(50);
    expect(probe.stopped).toBe(true);
    expect(probe.produced).toBeLessThan(10_000_000);
    for (let i = 0; i < 40 && probe.sessionsClosed === closedBefore; i++) await sleep(50);
    expect(probe.sessionsClosed).toBeGreaterThan(closedBefore);
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    const [rows] = await c.query<mysql.RowDataPacket[]>('select 5');
    expect(rows).toHaveLength(5);
    await c.end();
  });

  it('KILL QUERY while the client is not reading: producer stops at once, client then gets rows + ERR 1317', async () => {
    probe.produced = 0;
    probe.stopped = false;
    const client = await RawClient.connect(port);
    await client.login('root', ROOT_PASSWORD);
    client.socket.pause();
    client.query('stream 10000000');
    for (let i = 0; i < 100 && probe.produced === 0; i++) await sleep(20);
    expect(server.kill(client.greeting!.connectionId, { queryOnly: true })).toBe(true);
    for (let i = 0; i < 20 && !probe.stopped; i++) await sleep(50);
    expect(probe.stopped).toBe(true);
    client.socket.resume();
    const r = await client.readResult();
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.err).toMatchObject({ errno: 1317, message: 'Query execution was interrupted' });
    client.send(Buffer.from([0x0e]));
    expect((await client.read())!.payload[0]).toBe(0x00);
    client.close();
  });

  it('net_write_timeout: a client that stops reading is disconnected and the query stopped', async () => {
    const s = await startServer({ netWriteTimeoutSeconds: 0.5 });
    probe.produced = 0;
    probe.stopped = false;
    const client = await RawClient.connect(s.port);
    await client.login('root', ROOT_PASSWORD);
    client.socket.pause();
    client.query('stream 10000000');
    for (let i = 0; i < 40 && !probe.stopped; i++) await sleep(50);
    expect(probe.stopped).toBe(true);
    expect(s.server.connections()).toHaveLength(0);
    client.close();
    await s.server.close();
  });

  it('a TCP reset mid-result never crashes the server', async () => {
    const client = await RawClient.connect(port);
    await client.login('root', ROOT_PASSWORD);
    client.query('stream 5000000');
    await client.read();
    client.socket.resetAndDestroy();
    await sleep(200);
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    await c.ping();
    await c.end();
  });

  it('query:finished reports rows and duration', async () => {
    const seen: { rows: number; durationMs: number; command: string }[] = [];
    const listener = (e: { rows: number; durationMs: number; command: string }) => seen.push(e);
    server.on('query:finished', listener);
    const c = await mysql.createConnection({
      host: '127.0.0.1',
      port,
      user: 'root',
      password: ROOT_PASSWORD,
    });
    await c.query('select 1234');
    await c.end();
    server.off('query:finished', listener);
    expect(seen).toContainEqual(expect.objectContaining({ command: 'Query', rows: 1234 }));
    expect(seen[0].durationMs).toBeGreaterThanOrEqual(0);
  });
});
