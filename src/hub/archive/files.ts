/** File-system side of the archive: durable renames, the part-file scan and staging clean-up. */
import type { Dirent } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parsePartFile } from './layout.js';

/** fsyncs a file or a directory. */
export async function fsyncPath(p: string): Promise<void> {
  const h = await open(p, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A part file found in the table folder. */
export interface PartFile {
  readonly path: string;
  readonly shardId: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Walks `<tableDir>/dt=*\/hh=*` and returns the part files (of one shard when `shardId` is given); with
 * `removeTemporaries`, deletes the `.part-*.tmp` files a crash left behind on the way.
 */
export async function scanPartFiles(
  tableDir: string,
  options: { shardId?: number; removeTemporaries?: boolean } = {},
): Promise<PartFile[]> {
  const out: PartFile[] = [];
  for (const dt of await entries(tableDir)) {
    if (!dt.isDirectory() || !dt.name.startsWith('dt=')) continue;
    const dtDir = path.join(tableDir, dt.name);
    for (const hh of await entries(dtDir)) {
      if (!hh.isDirectory() || !hh.name.startsWith('hh=')) continue;
      const hhDir = path.join(dtDir, hh.name);
      for (const f of await entries(hhDir)) {
        if (!f.isFile()) continue;
        if (f.name.startsWith('.part-') && f.name.endsWith('.tmp')) {
          if (options.removeTemporaries) await rm(path.join(hhDir, f.name), { force: true });
          continue;
        }
        const p = parsePartFile(f.name);
        if (!p || (options.shardId !== undefined && p.shardId !== options.shardId)) continue;
        out.push({ path: path.join(hhDir, f.name), ...p });
      }
    }
  }
  return out.sort((a, b) => a.shardId - b.shardId || a.firstSeq - b.firstSeq);
}

/** True when the folder holds anything but hidden entries (a new archive refuses a used folder). */
export async function hasVisibleEntries(dir: string): Promise<boolean> {
  return (await entries(dir)).some((e) => !e.name.startsWith('.') && !e.name.startsWith('_'));
}

/**
 * Part files of one shard beyond the committed position (`firstSeq >= base`), split into the ones to adopt and the ones to
 * delete. A file is adopted when it continues the chain exactly: it starts at `base` (or, for the first one,
 * at `firstRead`, the first record the hub returned at or after `base`) and holds every sequence of its
 * range (`rows(file) === lastSeq - firstSeq + 1`, so dense sequences only). Everything after the first break
 * is deleted and rewritten from the hub. Returns the new committed position.
 */
export async function planRecovery(
  files: readonly PartFile[],
  base: number,
  firstRead: number | undefined,
  rows: (file: string) => Promise<number>,
): Promise<{ next: number; adopt: PartFile[]; remove: PartFile[] }> {
  const orphans = files.filter((f) => f.firstSeq >= base).sort((a, b) => a.firstSeq - b.firstSeq);
  const adopt: PartFile[] = [];
  let next = base;
  let i = 0;
  for (; i < orphans.length; i++) {
    const f = orphans[i];
    const starts =
      f.firstSeq === next || (adopt.length === 0 && f.firstSeq === firstRead && f.firstSeq >= base);
    if (!starts || (await rows(f.path)) !== f.lastSeq - f.firstSeq + 1) break;
    adopt.push(f);
    next = f.lastSeq + 1;
  }
  return { next, adopt, remove: orphans.slice(i) };
}
