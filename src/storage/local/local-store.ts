import fs from 'node:fs';
import { open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { LakecastError } from '../../shared/index.js';
import { StorageErrors } from '../errors.js';
import { checkKey, checkPrefix } from '../keys.js';
import type { ByteRange, ObjectBody, ObjectInfo, ObjectStore } from '../types.js';
import { SpareInodes } from './spare-inodes.js';

/** Folder under the root where `put` writes before renaming; never listed. */
export const LOCAL_TMP_DIR = '.lakecast-tmp';

/**
 * File systems on which one fdatasync of a new file, after it was renamed into place, makes the data and the
 * rename durable together (statfs magic numbers): ext2/3/4 and XFS. With a journal, the rename is in the
 * same or an earlier journal commit than the file's size and blocks (ext4: the fsync waits for that commit;
 * XFS: it forces the log up to the file inode's last change, which the rename logged). ext4 without a
 * journal syncs the folders of entries created since their last fsync (`ext4_sync_parent`), and a spare
 * file, its folder and a spare folder renamed into place are all such entries.
 */
const RENAME_THEN_SYNC_FILE_SYSTEMS = new Set([0xef53, 0x58465342]);

/**
 * How old a free-space reading may be ({@link LocalObjectStore.freeBytes}): short against the time any disk takes to
 * write a task result's free-space margin (1 GiB by default), long against a trivial task.
 */
export const FREE_BYTES_MAX_AGE_MS = 100;

/**
 * An {@link ObjectStore} over a local folder. `put` writes a temp file inside the root (same file system),
 * so readers never see part of an object, and resolves once it survives a crash. On ext4 and XFS the file is
 * renamed into place and then fdatasynced, one flush for both; elsewhere it is fdatasynced, renamed, and the
 * folder fsynced. In the first case a crash *before* put resolved may leave the object with incomplete
 * content: callers that need all-or-nothing across a crash record the object as done after put resolved
 * (a task's SUCCESS row; recovery deletes the result of a task that was running). ETags are
 * `<size hex>-<mtime ms hex>` (not content hashes: hashing every file on list would be slow).
 */
export class LocalObjectStore implements ObjectStore {
  readonly rootUri: string;
  readonly root: string;
  /** Empty files and folders made ahead of time in the temp folder, for put. */
  readonly spares: SpareInodes;

  /** Whether put renames before its one fdatasync (see RENAME_THEN_SYNC_FILE_SYSTEMS); undefined until asked. */
  #free: { at: number; bytes: number | null } = { at: Number.NEGATIVE_INFINITY, bytes: null };
  #renameThenSync: boolean | undefined;
  readonly #fdatasync: (fd: number) => Promise<void>;

  /**
   * `spareTarget`: how many spare files and folders to keep ready (0: none; tests). `renameThenSync`: force
   * put's durable sequence (tests); by default it follows the root's file system. `fdatasync`: for tests.
   */
  constructor(
    root: string,
    options: {
      spareTarget?: number;
      renameThenSync?: boolean;
      fdatasync?: (fd: number) => Promise<void>;
    } = {},
  ) {
    this.root = path.resolve(root);
    this.rootUri = pathToFileURL(this.root).href.replace(/\/?$/, '/');
    this.spares = new SpareInodes(path.join(this.root, LOCAL_TMP_DIR), options.spareTarget);
    this.#renameThenSync = options.renameThenSync;
    this.#fdatasync = options.fdatasync ?? fsFdatasync;
  }

  /** True when put may rename before its fdatasync (ext4, XFS), asked once of the root's file system. */
  get renamesThenSyncs(): boolean {
    if (this.#renameThenSync === undefined) {
      let type = 0;
      try {
        type = fs.statfsSync(this.root).type;
      } catch {
        // unknown: the sequence that is safe everywhere
      }
      this.#renameThenSync = RENAME_THEN_SYNC_FILE_SYSTEMS.has(type);
    }
    return this.#renameThenSync;
  }

  /**
   * Free bytes of the root's file system, read at most once per {@link FREE_BYTES_MAX_AGE_MS}: every task result
   * asks before its first byte, and a thousand trivial tasks a second need not make a thousand `statfs` calls.
   */
  freeBytes(): number | null {
    const now = performance.now();
    if (now - this.#free.at > FREE_BYTES_MAX_AGE_MS) {
      let bytes: number | null = null;
      try {
        const s = fs.statfsSync(this.root);
        bytes = s.bavail * s.bsize;
      } catch {
        // unknown
      }
      this.#free = { at: now, bytes };
    }
    return this.#free.bytes;
  }

  uriOf(key: string): string {
    return this.rootUri + checkKey(key).split('/').map(encodeURIComponent).join('/');
  }

  /** Absolute file path of a key. */
  pathOf(key: string): string {
    return path.join(this.root, ...checkKey(key).split('/'));
  }

  async put(key: string, body: ObjectBody): Promise<{ size: number }> {
    const target = this.pathOf(key);
    // Metadata calls are synchronous on purpose (see SYNC_WRITE_MAX_BYTES); the inodes come ready-made from
    // the spare pool when it has them (see SpareInodes); only the fsyncs wait off the loop.
    this.ensureFolder(path.dirname(target));
    const { tmp, fd } = this.openTemp();
    this.spares.replenish(); // the temp folder exists now
    const renameFirst = this.renamesThenSyncs;
    let size = 0;
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const buf = typeof body === 'string' ? Buffer.from(body) : body;
        await writeAll(fd, buf);
        size = buf.length;
      } else {
        for await (const chunk of body) {
          const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          await writeAll(fd, b);
          size += b.length;
        }
      }
      if (!renameFirst) {
        // Data (and the size needed to read it) on disk before the rename makes it visible.
        await this.#fdatasync(fd);
      }
    } catch (err) {
      closeQuietly(fd);
      await rm(tmp, { force: true });
      throw err;
    }
    if (renameFirst) await this.#renameThenFdatasync(fd, tmp, target);
    else await this.#renameSynced(fd, tmp, target);
    return { size };
  }

  /**
   * ext4, XFS: the written temp file is renamed into place while its data may still be in the page cache only
   * (readers see all of it there), then one fdatasync makes both durable — one flush and one trip to libuv's pool
   * instead of two. If that fdatasync fails the object is removed: it is not known to be durable.
   */
  async #renameThenFdatasync(fd: number, tmp: string, target: string): Promise<void> {
    try {
      fs.renameSync(tmp, target);
    } catch (err) {
      closeQuietly(fd);
      await rm(tmp, { force: true });
      throw err;
    }
    try {
      await this.#fdatasync(fd);
    } catch (err) {
      closeQuietly(fd);
      await rm(target, { force: true });
      throw err;
    }
    fs.closeSync(fd);
  }

  /** Other file systems: the temp file is durable already; rename it into place and fsync its folder. */
  async #renameSynced(fd: number, tmp: string, target: string): Promise<void> {
    fs.closeSync(fd);
    try {
      fs.renameSync(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(path.dirname(target));
  }

  /** Makes `dir` exist: a spare folder renamed into place when one is ready, else mkdir. */
  private ensureFolder(dir: string): void {
    if (fs.existsSync(dir)) return;
    const spare = this.spares.takeFolder();
    if (spare) {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          fs.renameSync(spare, dir);
          return;
        } catch (err) {
          // ENOENT: the parent is missing (a new day's folder) — make it and try once more.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) break;
          fs.mkdirSync(path.dirname(dir), { recursive: true });
        }
      }
      fs.rmSync(spare, { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Opens an empty temp file for writing: a spare when one is ready, else a new one. */
  private openTemp(): { tmp: string; fd: number } {
    const spare = this.spares.takeFile();
    if (spare) {
      try {
        return { tmp: spare, fd: fs.openSync(spare, 'w') };
      } catch {
        // gone behind our back: make one below
      }
    }
    const tmp = this.spares.nextName();
    try {
      return { tmp, fd: fs.openSync(tmp, 'wx') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(this.spares.dir, { recursive: true }); // first put, or the temp folder was removed
      return { tmp, fd: fs.openSync(tmp, 'wx') };
    }
  }

  async get(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const file = this.pathOf(key);
    try {
      const handle = await open(file, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      }
      const { range } = options;
      return handle.createReadStream({ autoClose: true, start: range?.start, end: range?.end });
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'ENOENT' ||
        (err as NodeJS.ErrnoException).code === 'EISDIR'
      ) {
        throw new LakecastError(StorageErrors.STORAGE_NOT_FOUND, `object ${key} not found`, { cause: err });
      }
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.pathOf(key));
      if (!s.isFile()) return null;
      return { key, size: s.size, etag: etagOf(s.size, s.mtimeMs), lastModified: s.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const baseDir = baseKey ? path.join(this.root, ...baseKey.split('/')) : this.root;
    const found: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (
          (err as NodeJS.ErrnoException).code === 'ENOENT' ||
          (err as NodeJS.ErrnoException).code === 'ENOTDIR'
        )
          return;
        throw err;
      }
      for (const e of entries) {
        const key = keyPrefix + e.name;
        if (keyPrefix === '' && e.name === LOCAL_TMP_DIR) continue;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`))
            await walk(path.join(dir, e.name), `${key}/`);
        } else if (e.isFile() && key.startsWith(prefix)) {
          const s = await stat(path.join(dir, e.name)).catch(() => null);
          if (s) found.push({ key, size: s.size, etag: etagOf(s.size, s.mtimeMs), lastModified: s.mtime });
        }
      }
    };
    await walk(baseDir, baseKey ? `${baseKey}/` : '');
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    yield* found;
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys: string[] = [];
    for await (const o of this.list(prefix)) keys.push(o.key);
    for (const key of keys) await this.delete(key);
  }

  /** Removes now-empty folders up to (not including) the root, so deleted prefixes leave no trace. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
      current = path.dirname(current);
    }
  }
}

function etagOf(size: number, mtimeMs: number): string {
  return `${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}`;
}

/**
 * Writes up to this size run synchronously, as put()'s metadata calls (open, close, rename, and mkdir when no
 * spare folder is ready) do: sending a call to libuv's thread pool and back costs more CPU than most of these
 * calls (a small result file: 0.37 ms of CPU with synchronous metadata calls vs 0.61 ms all asynchronous,
 * measured here), and interleaved `npm run bench -- tasks` runs completed 15–40 % more trivial tasks per second
 * that way, with no clear difference in submit latency. The exception is creating an inode, which costs
 * 0.4–1 ms of kernel CPU on the ext4 (without a journal) of the VMs we test on; SpareInodes does that ahead of
 * time off the event loop. Larger writes (the page cache may throttle them) and every fsync run on the pool.
 */
export const SYNC_WRITE_MAX_BYTES = 256 * 1024;

const fsWrite = promisify(fs.write);
const fsFdatasync = promisify(fs.fdatasync);
const fsFsync = promisify(fs.fsync);

async function writeAll(fd: number, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const n = buf.length - off;
    off +=
      n <= SYNC_WRITE_MAX_BYTES
        ? fs.writeSync(fd, buf, off, n)
        : (await fsWrite(fd, buf, off, n)).bytesWritten;
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already failing: the first error is the one reported
  }
}

/**
 * Makes a rename into `dir` durable. A folder created for it (mkdir, or a spare renamed into place) needs no
 * fsync of its parent: on a journaling file system (ext4, XFS) the parent's change is in the same or an earlier
 * journal commit, and ext4 without a journal (as on our test VMs) syncs the parents of newly created entries
 * as part of this fsync (its `ext4_sync_parent`).
 */
async function fsyncDir(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsFsync(fd);
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    closeQuietly(fd);
  }
}

/** Reads a whole object into memory (small objects only: manifests, test fixtures). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
