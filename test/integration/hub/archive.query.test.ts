import { readdirSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { type ArchiveStack, startArchiveStack, waitArchived } from './archive-stack.js';

const PASSWORD = 'archive-pw';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 22, 30); // 2026-11-22 22:30 UTC: the next hours cross a day

describe('hub archive - Parquet in the lake, queried through the MySQL protocol', () => {
  const tmp = tempDir('lakecast-archive-q-');
  let now = T0;
  let stack: ArchiveStack;
  let conn: mysql.Connection;

  beforeAll(async () => {
    stack = await startArchiveStack(tmp.dir, PASSWORD, { clock: () => now });
    conn = await mysql.createConnection({
      host: '127.0.0.1',
      port: stack.port,
      user: 'root',
      password: PASSWORD,
    });
  });
  afterAll(async () => {
    await conn?.end();
    await stack?.close();
    tmp.cleanup();
  });

  it('archive - TUPLE records land in dt/hh partitions and SELECT over the archive returns them once', async () => {
    const { hub, archiver } = stack;
    await hub.createProject({ name: 'web' });
    await hub.createTopic('web', {
      name: 'access',
      shardCount: 2,
      lifecycleDays: 3,
      recordType: 'TUPLE',
      schema: [
        { name: 'line', type: 'STRING' },
        { name: 'bytes', type: 'BIGINT' },
        { name: 'ratio', type: 'DOUBLE' },
        { name: 'ok', type: 'BOOLEAN' },
        { name: 'at', type: 'TIMESTAMP' },
        { name: 'price', type: 'DECIMAL' },
      ],
    });
    // Three hours of records (22h, 23h, then 00h of the next day), appended before the archive exists.
    let n = 0;
    for (const hour of [0, 1, 2]) {
      now = T0 + hour * HOUR;
      const records = Array.from({ length: 500 }, () => {
        const i = n++;
        return {
          data: {
            line: `GET /${i}`,
            bytes: i === 0 ? '9007199254740993' : i,
            ratio: i / 4,
            ok: i % 2 === 0,
            at: 1_700_000_000_000_123 + i,
            price: i === 0 ? '12345678901234567890.123456789' : `${i}.5`,
          },
          partitionKey: `k${i % 7}`,
          attributes: { host: `h${i % 3}` },
        };
      });
      const r = await hub.appendRecords('web', 'access', records);
      expect(r.failedCount).toBe(0);
    }
    const info = await archiver.addArchive({
      project: 'web',
      topic: 'access',
      schema: 'hubarchive',
      flushIntervalMs: 200,
    });
    expect(info.table).toBe('access');
    await waitArchived(stack, 'web', 'access');

    const dirs = readdirSync(path.join(stack.lakeDir, 'hubarchive', 'access')).filter((d) =>
      d.startsWith('dt='),
    );
    expect(dirs.sort()).toEqual(['dt=2026-11-22', 'dt=2026-11-23']);
    expect(readdirSync(path.join(stack.lakeDir, 'hubarchive', 'access', 'dt=2026-11-22')).sort()).toEqual([
      'hh=22',
      'hh=23',
    ]);

    const [rows] = await conn.query(
      'SELECT count(*) AS n, count(DISTINCT (shard_id, "sequence")) AS d FROM hubarchive.access',
    );
    expect(rows).toEqual([{ n: 1500, d: 1500 }]);

    const [first] = await conn.query(
      `SELECT line, CAST(bytes AS VARCHAR) AS bytes, ratio, ok, CAST("at" AS VARCHAR) AS at_text, price,
              partition_key, "attributes", CAST(dt AS VARCHAR) AS dt, hh, CAST(system_time AS VARCHAR) AS st
         FROM hubarchive.access WHERE line = 'GET /0'`,
    );
    expect(first).toEqual([
      {
        line: 'GET /0',
        bytes: '9007199254740993',
        ratio: 0,
        ok: 1,
        at_text: '2023-11-14 22:13:20.000123',
        price: '12345678901234567890.123456789',
        partition_key: 'k0',
        attributes: '{"host":"h0"}',
        dt: '2026-11-22',
        hh: 22,
        st: '2026-11-22 22:30:00',
      },
    ]);

    const [perHour] = await conn.query(
      'SELECT CAST(dt AS VARCHAR) AS dt, hh, count(*) AS n FROM hubarchive.access GROUP BY ALL ORDER BY 1, 2',
    );
    expect(perHour).toEqual([
      { dt: '2026-11-22', hh: 22, n: 500 },
      { dt: '2026-11-22', hh: 23, n: 500 },
      { dt: '2026-11-23', hh: 0, n: 500 },
    ]);
  });

  it('archive - a filter on dt/hh prunes partitions (files of other hours are not read)', async () => {
    const plan = async (sql: string) => {
      const res = await stack.engine.query(`EXPLAIN ANALYZE ${sql}`);
      let text = '';
      for await (const b of res.batches) for (const r of b) text += String(r[1]);
      return /"Scanning Files": "(\d+)\/(\d+)"/.exec(text)?.slice(1).map(Number);
    };
    const [read, of] = (await plan(
      "SELECT sum(ratio) FROM hubarchive.access WHERE dt = DATE '2026-11-22' AND hh = 23",
    )) ?? [0, 0];
    expect(of).toBeGreaterThanOrEqual(3);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(of);
  });

  it('archive - new records after the first flush show up in new partitions without re-registering', async () => {
    now = T0 + 5 * HOUR;
    const r = await stack.hub.appendRecords('web', 'access', [
      { data: { line: 'late', bytes: 1, ratio: 1, ok: true, at: 0, price: '1' } },
    ]);
    expect(r.failedCount).toBe(0);
    await waitArchived(stack, 'web', 'access');
    const [rows] = await conn.query(
      "SELECT line, hh FROM hubarchive.access WHERE dt = DATE '2026-11-23' AND hh = 3",
    );
    expect(rows).toEqual([{ line: 'late', hh: 3 }]);
    const [all] = await conn.query('SELECT count(*) AS n FROM hubarchive.access');
    expect(all).toEqual([{ n: 1501 }]);
  });

  it('archive - BLOB topics get a data BLOB column; list/remove keep the files and the table', async () => {
    const { hub, archiver } = stack;
    await hub.createTopic('web', { name: 'raw', shardCount: 1, lifecycleDays: 1, recordType: 'BLOB' });
    await archiver.addArchive({
      project: 'web',
      topic: 'raw',
      schema: 'hubarchive',
      table: 'raw_lines',
      flushIntervalMs: 200,
    });
    await hub.appendRecords('web', 'raw', [
      { data: new Uint8Array([0, 1, 2, 255]) },
      { data: Buffer.from('hi') },
    ]);
    await waitArchived(stack, 'web', 'raw');
    const [rows] = await conn.query('SELECT hex(data) AS h FROM hubarchive.raw_lines ORDER BY "sequence"');
    expect(rows).toEqual([{ h: '000102FF' }, { h: '6869' }]);

    expect((await archiver.listArchives()).map((a) => `${a.topic}:${a.status.state}`).sort()).toEqual([
      'access:running',
      'raw:running',
    ]);
    await expect(
      archiver.addArchive({ project: 'web', topic: 'raw', schema: 'hubarchive', table: 'other' }),
    ).rejects.toMatchObject({ code: 'LC_HUB_BAD_REQUEST' });
    await archiver.removeArchive('web', 'raw');
    expect((await archiver.listArchives()).map((a) => a.topic)).toEqual(['access']);
    expect(await hub.listSubscriptions('web', 'raw')).toEqual([]);
    const [still] = await conn.query('SELECT count(*) AS n FROM hubarchive.raw_lines');
    expect(still).toEqual([{ n: 2 }]);
  });

  it('archive - bad specs are refused with clear errors and create nothing', async () => {
    const { archiver, catalog } = stack;
    await expect(
      archiver.addArchive({ project: 'web', topic: 'nope', schema: 'hubarchive' }),
    ).rejects.toMatchObject({ code: 'LC_HUB_TOPIC_NOT_FOUND' });
    await expect(
      archiver.addArchive({ project: 'web', topic: 'raw', schema: 'hubarchive', flushBytes: 5 }),
    ).rejects.toMatchObject({ code: 'LC_HUB_BAD_REQUEST' });
    // The raw table exists already (kept by removeArchive).
    await expect(
      archiver.addArchive({ project: 'web', topic: 'raw', schema: 'hubarchive', table: 'raw_lines' }),
    ).rejects.toMatchObject({ code: 'LC_HUB_BAD_REQUEST' });
    await stack.hub.createTopic('web', {
      name: 'clash',
      shardCount: 1,
      lifecycleDays: 1,
      recordType: 'TUPLE',
      schema: [{ name: 'sequence', type: 'BIGINT' }],
    });
    await expect(
      archiver.addArchive({ project: 'web', topic: 'clash', schema: 'hubarchive' }),
    ).rejects.toMatchObject({ code: 'LC_HUB_BAD_REQUEST' });
    expect(await catalog.getTable('hubarchive', 'clash')).toBeNull();
    expect(await stack.hub.listSubscriptions('web', 'clash')).toEqual([]);
  });
});
