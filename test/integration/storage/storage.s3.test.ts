import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../src/catalog/index.js';
import { createDuckDbEngine, type DuckDbEngine } from '../../../src/engine/index.js';
import type { Cell } from '../../../src/shared/index.js';
import {
  createS3Client,
  MULTIPART_PART_BYTES,
  readAll,
  resolveLocation,
  S3ObjectStore,
  type S3Settings,
} from '../../../src/storage/index.js';
import { startS3 } from '../../helpers/s3-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { objectStoreContract } from './store.contract.js';

let s3: { settings: S3Settings; stop: () => Promise<void> };
const tmp = tempDir();

beforeAll(async () => {
  s3 = await startS3(['lake', 'results']);
});
afterAll(async () => {
  await s3?.stop();
  tmp.cleanup();
});

describe('s3 store - ObjectStore contract against s3rver', () => {
  objectStoreContract('s3', () => new S3ObjectStore(createS3Client(s3.settings), 'results', 'contract/'));
});

describe('s3 store - multipart and pagination', () => {
  it('s3 - a stream larger than one part is uploaded in parts and reads back intact', async () => {
    const store = new S3ObjectStore(createS3Client(s3.settings), 'results', 'big');
    const total = MULTIPART_PART_BYTES * 2 + 12345;
    const hash = createHash('sha256');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= total) {
          this.push(null);
          return;
        }
        const n = Math.min(1 << 20, total - sent);
        const chunk = Buffer.alloc(n, sent % 251);
        hash.update(chunk);
        sent += n;
        this.push(chunk);
      },
    });
    expect((await store.put('large.bin', body)).size).toBe(total);
    const back = await readAll(await store.get('large.bin'));
    expect(back.length).toBe(total);
    expect(createHash('sha256').update(back).digest('hex')).toBe(hash.digest('hex'));
    expect((await store.head('large.bin'))?.size).toBe(total);
  });

  it('s3 - list pages through more than 1000 objects and deletePrefix batches', async () => {
    const store = new S3ObjectStore(createS3Client(s3.settings), 'results', 'many');
    const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, 'x')));
    }
    const listed = [];
    for await (const o of store.list('k/')) listed.push(o.key);
    expect(listed).toEqual(keys);
    await store.deletePrefix('k/');
    const left = [];
    for await (const o of store.list('k/')) left.push(o.key);
    expect(left).toEqual([]);
  });
});

describe('s3 locations - mirrored into a local cache the engine queries', () => {
  let engine: DuckDbEngine;
  const cacheDir = path.join(tmp.dir, 'cache');
  const def: TableDefinition = {
    schema: 's3demo',
    name: 'sales',
    columns: [
      { name: 'id', type: 'INT' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
    ],
    partitionColumns: [{ name: 'dt', type: 'DATE' }],
    format: 'CSV',
    location: 's3://lake/warehouse/sales/',
    properties: {},
    owner: 'root',
    createdAt: new Date(),
  };

  beforeAll(async () => {
    mkdirSync(cacheDir, { recursive: true });
    engine = await createDuckDbEngine({
      dataDir: path.join(tmp.dir, 'data'),
      threads: 1,
      poolSize: 2,
      allowedDirectories: [cacheDir],
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  async function query(): Promise<Cell[][]> {
    const loc = await resolveLocation(def.location, { fileRoots: [], cacheDir, s3: s3.settings });
    await engine.registerTable(def, loc.localDir);
    const r = await engine.query('select dt, id, amount from s3demo.sales order by dt, id');
    const rows: Cell[][] = [];
    for await (const b of r.batches) rows.push(...b);
    return rows;
  }

  it('sync - an empty prefix is an empty table', async () => {
    expect(await query()).toEqual([]);
  });

  it('sync - added, changed and deleted objects are seen by the next query', async () => {
    const store = new S3ObjectStore(createS3Client(s3.settings), 'lake', 'warehouse/sales');
    await store.put('dt=2026-11-21/a.csv', '1,10.00\n2,20.00\n');
    await store.put('dt=2026-11-22/b.csv', '3,30.00\n');
    expect(await query()).toEqual([
      ['2026-11-21', 1, '10.00'],
      ['2026-11-21', 2, '20.00'],
      ['2026-11-22', 3, '30.00'],
    ]);

    const first = await resolveLocation(def.location, { fileRoots: [], cacheDir, s3: s3.settings });
    expect(first.sync).toMatchObject({ downloaded: 0, deleted: 0, unchanged: 2 });

    await store.put('dt=2026-11-22/b.csv', '3,33.00\n4,40.00\n');
    await store.delete('dt=2026-11-21/a.csv');
    const second = await resolveLocation(def.location, { fileRoots: [], cacheDir, s3: s3.settings });
    expect(second.sync).toMatchObject({ downloaded: 1, deleted: 1, unchanged: 0 });
    expect(await query()).toEqual([
      ['2026-11-22', 3, '33.00'],
      ['2026-11-22', 4, '40.00'],
    ]);
  });

  it('sync - objects whose keys would escape the cache folder are skipped', async () => {
    const store = new S3ObjectStore(createS3Client(s3.settings), 'lake', 'hostile');
    await store.put('ok.csv', '1\n');
    // Written with the raw client: our store refuses such keys itself.
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await createS3Client(s3.settings).send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'hostile/a/../../../escape.csv', Body: 'x' }),
    );
    const r = await resolveLocation('s3://lake/hostile/', { fileRoots: [], cacheDir, s3: s3.settings });
    expect(r.sync?.downloaded).toBe(1);
  });
});
