import fs, { existsSync, mkdirSync, readdirSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LakecastError } from '../../../src/shared/index.js';
import {
  FREE_BYTES_MAX_AGE_MS,
  isSafeKey,
  LOCAL_TMP_DIR,
  LocalObjectStore,
  openObjectStore,
  readAll,
  resolveLocation,
} from '../../../src/storage/index.js';
import { tempDir } from '../../helpers/tmp.js';
import { objectStoreContract } from '../../integration/storage/store.contract.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('local store - ObjectStore contract', () => {
  objectStoreContract('local', () => new LocalObjectStore(path.join(tmp.dir, 'store')));
});

// Both durable sequences of put, whatever file system the tests run on.
describe('local store - ObjectStore contract, rename then fdatasync (ext4, XFS)', () => {
  objectStoreContract(
    'local-rename-first',
    () => new LocalObjectStore(path.join(tmp.dir, 'store-rf'), { renameThenSync: true }),
  );
});

describe('local store - ObjectStore contract, fdatasync, rename, fsync folder (other file systems)', () => {
  objectStoreContract(
    'local-sync-first',
    () => new LocalObjectStore(path.join(tmp.dir, 'store-sf'), { renameThenSync: false }),
  );
});

describe('local store - atomic writes', () => {
  it('local - a failing stream leaves no object and no temp file', async () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'atomic'), { spareTarget: 0 });
    const body = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
        this.destroy(new Error('boom'));
      },
    });
    await expect(s.put('x/y', body)).rejects.toThrow('boom');
    expect(await s.head('x/y')).toBeNull();
    expect(readdirSync(path.join(tmp.dir, 'atomic', LOCAL_TMP_DIR))).toEqual([]);
  });

  for (const renameThenSync of [true, false]) {
    it(`local - a failing fdatasync leaves no object and no temp file (renameThenSync ${renameThenSync})`, async () => {
      const root = path.join(tmp.dir, `syncfail-${renameThenSync}`);
      let fail = false;
      const s = new LocalObjectStore(root, {
        spareTarget: 0,
        renameThenSync,
        fdatasync: async () => {
          if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        },
      });
      expect(s.renamesThenSyncs).toBe(renameThenSync);
      await s.put('r/old.csv', 'kept');
      fail = true;
      await expect(s.put('r/new.csv', 'a,b\r\n')).rejects.toThrow('EIO');
      expect(await s.head('r/new.csv')).toBeNull();
      expect(await s.head('r/old.csv')).toMatchObject({ size: 4 });
      expect(readdirSync(path.join(root, LOCAL_TMP_DIR))).toEqual([]);
    });
  }

  it('local - put renames before its fdatasync on ext4 and XFS only', () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'fstype'));
    mkdirSync(s.root, { recursive: true });
    const type = statfsSync(s.root).type;
    expect(s.renamesThenSyncs).toBe(type === 0xef53 || type === 0x58465342);
  });

  it('local - a range of one byte, the first or the last', async () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'store-range'));
    await s.put('one/x.txt', 'abc');
    const part = async (start: number, end: number) =>
      (await readAll(await s.get('one/x.txt', { range: { start, end } }))).toString();
    expect(await part(0, 0)).toBe('a');
    expect(await part(2, 2)).toBe('c');
  });

  it('local - temp files are never listed', async () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'tmplist'));
    await s.put('a', 'x');
    writeFileSync(path.join(tmp.dir, 'tmplist', LOCAL_TMP_DIR, 'junk.tmp'), 'x');
    const keys = [];
    for await (const o of s.list('')) keys.push(o.key);
    expect(keys).toEqual(['a']);
  });

  it('local - list is in byte order of keys, not folder-walk order', async () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'order'));
    for (const k of ['a/2', 'a-x', 'a/1', 'a.b']) await s.put(k, k);
    const keys = [];
    for await (const o of s.list('')) keys.push(o.key);
    expect(keys).toEqual(['a-x', 'a.b', 'a/1', 'a/2']);
  });

  it('local - deletePrefix removes emptied folders', async () => {
    const s = new LocalObjectStore(path.join(tmp.dir, 'prune'));
    await s.put('p/q/r', 'x');
    await s.deletePrefix('p/');
    expect(existsSync(path.join(tmp.dir, 'prune', 'p'))).toBe(false);
  });
});

describe('keys - validation', () => {
  it('keys - safe and unsafe keys', () => {
    expect(isSafeKey('a/b/c.csv')).toBe(true);
    expect(isSafeKey('dt=2026-11-22/part-0.parquet')).toBe(true);
    for (const k of ['..', 'a/..', '/a', 'a\0', '', 'a\\b', 'a/./b']) expect(isSafeKey(k), k).toBe(false);
  });
});

describe('openObjectStore - picks the implementation from the URI', () => {
  it('open - file:// and plain paths are local, s3:// is S3, others refused', () => {
    expect(openObjectStore(`file://${tmp.dir}/x/`).rootUri).toBe(`file://${tmp.dir}/x/`);
    expect(openObjectStore(`${tmp.dir}/y`).rootUri).toBe(`file://${tmp.dir}/y/`);
    expect(openObjectStore('s3://bucket/some/prefix').rootUri).toBe('s3://bucket/some/prefix/');
    expect(() => openObjectStore('ftp://x/y')).toThrow(LakecastError);
    expect(() => openObjectStore('s3://Bad_Bucket/x')).toThrow(LakecastError);
  });
});

describe('resolveLocation - file:// locations stay inside the allowed roots', () => {
  const root = path.join(tmp.dir, 'lake-root');
  const elsewhere = path.join(tmp.dir, 'elsewhere');
  mkdirSync(path.join(root, 't1'), { recursive: true });
  mkdirSync(elsewhere, { recursive: true });
  const opts = { fileRoots: [root], cacheDir: path.join(tmp.dir, 'cache') };

  it('location - a folder inside a root resolves to itself', async () => {
    const r = await resolveLocation(`file://${root}/t1/`, opts);
    expect(r).toEqual({ localDir: path.join(root, 't1'), kind: 'file' });
  });

  it('location - a folder that does not exist yet inside a root is allowed', async () => {
    const r = await resolveLocation(`file://${root}/new/table/`, opts);
    expect(r.localDir).toBe(path.join(root, 'new', 'table'));
  });

  it('location - outside the roots, via .. or via a symlink: LC_STORAGE_LOCATION_FORBIDDEN', async () => {
    symlinkSync(elsewhere, path.join(root, 'link'));
    for (const uri of [
      `file://${elsewhere}/`,
      `file://${root}/../elsewhere/`,
      `file://${root}/link/`,
      '/etc/',
      `file://${root}-sibling/`,
    ]) {
      const err = await resolveLocation(uri, opts).catch((e: unknown) => e);
      expect((err as LakecastError).code, uri).toBe('LC_STORAGE_LOCATION_FORBIDDEN');
    }
  });

  it('location - unknown schemes are refused', async () => {
    const err = await resolveLocation('oss://bucket/x/', opts).catch((e: unknown) => e);
    expect((err as LakecastError).code).toBe('LC_STORAGE_BAD_URI');
  });
});

describe('local store - free space', () => {
  const tmp = tempDir('lakecast-free-');
  afterAll(() => tmp.cleanup());

  it("freeBytes - the root file system's free bytes, read at most once per FREE_BYTES_MAX_AGE_MS", async () => {
    const store = new LocalObjectStore(tmp.dir);
    const spy = vi.spyOn(fs, 'statfsSync');
    try {
      const first = store.freeBytes();
      const s = statfsSync(tmp.dir);
      expect(first).toBeGreaterThan(0);
      expect(Math.abs(first! - s.bavail * s.bsize)).toBeLessThan(64 * 1024 * 1024);
      for (let i = 0; i < 100; i++) store.freeBytes();
      expect(spy.mock.calls.filter(([p]) => p === tmp.dir)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, FREE_BYTES_MAX_AGE_MS + 20));
      store.freeBytes();
      expect(spy.mock.calls.filter(([p]) => p === tmp.dir)).toHaveLength(2);
      expect(new LocalObjectStore(path.join(tmp.dir, 'missing', 'root')).freeBytes()).toBeNull();
    } finally {
      spy.mockRestore();
    }
  });
});
