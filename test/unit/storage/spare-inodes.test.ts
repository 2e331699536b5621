import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_TMP_DIR, LocalObjectStore, readAll } from '../../../src/storage/index.js';
import { HOST_TAG } from '../../../src/storage/local/spare-inodes.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Entries in a temp folder, counting those inside the pool's batch folders (`*.b`) instead of the folders. */
function entriesIn(dir: string): string[] {
  return readdirSync(dir).flatMap((n) =>
    n.endsWith('.b') ? readdirSync(path.join(dir, n)).map((m) => `${n}/${m}`) : [n],
  );
}

/** A pid that surely runs no process now: a child that has already exited. */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  if (!pid) throw new Error('could not spawn');
  return pid;
}

describe('local store - spare inodes', () => {
  it('spares - filled in the background after the first put, then used by puts into new folders', async () => {
    const root = path.join(tmp.dir, 'used');
    const s = new LocalObjectStore(root, { spareTarget: 8 });
    await s.put('2026/12/03/t1/result.csv', 'a,b\n1,2\n');
    await s.spares.settled();
    expect(s.spares.ready).toEqual({ files: 8, folders: 8 });
    await s.put('2026/12/03/t2/result.csv', 'x\n');
    expect(s.spares.ready).toEqual({ files: 7, folders: 7 });
    expect((await readAll(await s.get('2026/12/03/t2/result.csv'))).toString()).toBe('x\n');
    expect(statSync(path.join(root, '2026/12/03/t2')).isDirectory()).toBe(true);
    // What is left in the temp folder is exactly the ready spares.
    expect(entriesIn(path.join(root, LOCAL_TMP_DIR))).toHaveLength(14);
    // A put into an existing folder takes a file only.
    await s.put('2026/12/03/t2/other.csv', 'y\n');
    expect(s.spares.ready).toEqual({ files: 6, folders: 7 });
  });

  it('spares - refilled when half used, and a failed put removes its temp file', async () => {
    const root = path.join(tmp.dir, 'refill');
    const s = new LocalObjectStore(root, { spareTarget: 4 });
    await s.put('warm', 'x');
    await s.spares.settled();
    for (let i = 0; i < 2; i++) await s.put(`f${i}/r`, 'x'); // down to half: a refill batch starts
    await s.spares.settled();
    // The batch asked for what was missing when it started (the put took one more file after that).
    expect(s.spares.ready.files).toBeGreaterThan(2);
    expect(s.spares.ready.folders).toBe(4);
    const body = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await expect(s.put('bad/r', body)).rejects.toThrow('boom');
    await s.spares.settled();
    const { files, folders } = s.spares.ready;
    // The failed put's spare file is gone; its spare folder went into place (harmless, empty).
    expect(entriesIn(path.join(root, LOCAL_TMP_DIR))).toHaveLength(files + folders);
  });

  it('spares - batch folders emptied by puts are removed by later batches', async () => {
    const root = path.join(tmp.dir, 'batches');
    const s = new LocalObjectStore(root, { spareTarget: 2 });
    for (let i = 0; i < 20; i++) {
      await s.put(`t${i}/r`, 'x');
      await s.spares.settled();
    }
    const batches = readdirSync(path.join(root, LOCAL_TMP_DIR)).filter((n) => n.endsWith('.b'));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThanOrEqual(3);
  });

  it('spares - leftovers of a dead process of this machine are removed, others kept', async () => {
    const root = path.join(tmp.dir, 'leftovers');
    const tmpDir = path.join(root, LOCAL_TMP_DIR);
    mkdirSync(tmpDir, { recursive: true });
    const dead = deadPid();
    const other = HOST_TAG === '00000000' ? '11111111' : '00000000';
    const mine = (pid: number, rest: string) => `sp-${HOST_TAG}-${pid}-abcd-${rest}`;
    writeFileSync(path.join(tmpDir, mine(dead, '0')), 'half-written');
    mkdirSync(path.join(tmpDir, mine(dead, '1.b')));
    writeFileSync(path.join(tmpDir, mine(dead, '1.b'), '2'), '');
    writeFileSync(path.join(tmpDir, mine(process.ppid, '0')), '');
    writeFileSync(path.join(tmpDir, `sp-${other}-${dead}-abcd-0`), 'another machine, maybe alive there');
    writeFileSync(path.join(tmpDir, 'not-ours.tmp'), '');
    const s = new LocalObjectStore(root, { spareTarget: 2 });
    await s.put('a', 'x');
    await s.spares.settled();
    const names = readdirSync(tmpDir);
    expect(names).not.toContain(mine(dead, '0'));
    expect(names).not.toContain(mine(dead, '1.b'));
    expect(names).toContain(mine(process.ppid, '0'));
    expect(names).toContain(`sp-${other}-${dead}-abcd-0`);
    expect(names).toContain('not-ours.tmp');
  });

  it('spares - puts still work when the temp folder is removed behind the store', async () => {
    const root = path.join(tmp.dir, 'removed');
    const s = new LocalObjectStore(root, { spareTarget: 2 });
    await s.put('a/1', 'x');
    await s.spares.settled();
    rmSync(path.join(root, LOCAL_TMP_DIR), { recursive: true, force: true });
    await s.put('b/1', 'y'); // both spares taken are gone: the put makes its own
    expect((await readAll(await s.get('b/1'))).toString()).toBe('y');
    await s.spares.settled();
    await s.put('c/1', 'z');
    expect(existsSync(path.join(root, 'c/1'))).toBe(true);
  });

  it('spares - none kept with spareTarget 0', async () => {
    const root = path.join(tmp.dir, 'none');
    const s = new LocalObjectStore(root, { spareTarget: 0 });
    await s.put('d/1', 'x');
    await s.spares.settled();
    expect(s.spares.ready).toEqual({ files: 0, folders: 0 });
    expect(readdirSync(path.join(root, LOCAL_TMP_DIR))).toEqual([]);
  });
});
