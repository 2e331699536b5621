import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isSafeKey } from '../keys.js';
import type { ObjectInfo } from '../types.js';
import type { S3ObjectStore } from './s3-store.js';

/** Downloads run this many at once. */
export const DEFAULT_SYNC_CONCURRENCY = 4;

/** What one sync did. */
export interface SyncReport {
  readonly downloaded: number;
  readonly deleted: number;
  readonly unchanged: number;
  /** Objects whose keys could escape the folder (`..`, absolute, NUL): never written. */
  readonly skipped: number;
  readonly bytesDownloaded: number;
}

interface Manifest {
  [key: string]: { etag: string; size: number };
}

/** Serializes syncs of the same folder within this process. */
const running = new Map<string, Promise<unknown>>();

/**
 * Makes `localDir` mirror every object of `store` (recursively): downloads objects that are new or whose
 * ETag or size changed, deletes local files whose objects are gone, leaves the rest alone. Each download
 * goes to a temp file in `tmpDir` (same file system) and is renamed into place, so DuckDB never reads a
 * half-written file. What was downloaded is remembered in a manifest file outside `localDir` (in
 * `tmpDir/../manifests/`) so the mirror folder holds data files only.
 */
export async function syncToDirectory(
  store: S3ObjectStore,
  localDir: string,
  options: { tmpDir: string; concurrency?: number },
): Promise<SyncReport> {
  const key = path.resolve(localDir);
  const previous = running.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => doSync(store, key, options));
  running.set(key, next);
  try {
    return await next;
  } finally {
    if (running.get(key) === next) running.delete(key);
  }
}

async function doSync(
  store: S3ObjectStore,
  localDir: string,
  options: { tmpDir: string; concurrency?: number },
): Promise<SyncReport> {
  const manifestDir = path.join(path.dirname(options.tmpDir), 'manifests');
  const manifestFile = path.join(
    manifestDir,
    `${createHash('sha256').update(localDir).digest('hex').slice(0, 32)}.json`,
  );
  await mkdir(localDir, { recursive: true });
  await mkdir(options.tmpDir, { recursive: true });
  await mkdir(manifestDir, { recursive: true });

  let manifest: Manifest = {};
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Manifest;
  } catch {
    manifest = {};
  }

  const remote = new Map<string, ObjectInfo>();
  let skipped = 0;
  for await (const o of store.list('')) {
    if (o.key.endsWith('/') && o.size === 0) continue; // "folder" marker objects
    if (!isSafeKey(o.key)) {
      skipped++;
      continue;
    }
    remote.set(o.key, o);
  }

  const toFetch: ObjectInfo[] = [];
  let unchanged = 0;
  for (const o of remote.values()) {
    const known = manifest[o.key];
    const local = await stat(path.join(localDir, ...o.key.split('/'))).catch(() => null);
    if (known && known.etag === o.etag && known.size === o.size && local?.isFile() && local.size === o.size) {
      unchanged++;
    } else {
      toFetch.push(o);
    }
  }

  const next: Manifest = {};
  for (const [k, v] of Object.entries(manifest)) if (remote.has(k)) next[k] = v;
  let bytesDownloaded = 0;
  let cursor = 0;
  const worker = async () => {
    while (cursor < toFetch.length) {
      const o = toFetch[cursor++];
      const target = path.join(localDir, ...o.key.split('/'));
      const tmp = path.join(options.tmpDir, `${randomBytes(8).toString('hex')}.part`);
      try {
        await pipeline(await store.get(o.key), createWriteStream(tmp));
        await mkdir(path.dirname(target), { recursive: true });
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      bytesDownloaded += o.size;
      next[o.key] = { etag: o.etag, size: o.size };
    }
  };
  const workers = Array.from(
    { length: Math.max(1, options.concurrency ?? DEFAULT_SYNC_CONCURRENCY) },
    worker,
  );
  try {
    await Promise.all(workers);
  } finally {
    await writeManifest(manifestFile, next);
  }

  // Anything on disk that is not a remote object goes (deleted objects, leftovers of a lost manifest).
  let deleted = 0;
  const prune = async (dir: string, prefix: string): Promise<boolean> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let empty = true;
    for (const e of entries) {
      const k = prefix + e.name;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (await prune(full, `${k}/`)) await rmdir(full).catch(() => undefined);
        else empty = false;
      } else if (!remote.has(k)) {
        await rm(full, { force: true });
        deleted++;
      } else empty = false;
    }
    return empty;
  };
  await prune(localDir, '');
  return { downloaded: toFetch.length, deleted, unchanged, skipped, bytesDownloaded };
}

async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest));
  await rename(tmp, file);
}
