import { Worker } from 'node:worker_threads';

/** One batch for the maker thread: create these empty files and folders, after removing a dead process's. */
export interface MakeRequest {
  /** The temp folder (created if missing; its parent must exist). */
  readonly dir: string;
  /** A new folder inside `dir` that holds this batch's entries. */
  readonly batch: string;
  /** Full paths (inside `batch`) of empty files to create (exclusive create). */
  readonly files: readonly string[];
  /** Full paths (inside `batch`) of empty folders to create. */
  readonly folders: readonly string[];
  /** Remove entries named `sp-<pid>-…` of processes that no longer run, first. */
  readonly removeLeftovers: boolean;
  /** Earlier batch folders to remove if they are empty now. */
  readonly removeIfEmpty: readonly string[];
}

/** What a batch made: the paths that now exist, in request order, and the first error (a message) if any. */
export interface MakeResult {
  readonly files: string[];
  readonly folders: string[];
  /** The `removeIfEmpty` folders that were removed. */
  readonly removed: string[];
  readonly error?: string;
}

/**
 * The maker thread's code. Kept as plain JavaScript (node: built-ins only) and started with `eval`, so the
 * same code runs from the compiled package, under tsx and under the test runner. Every call is synchronous:
 * the thread exists so that a batch costs the event loop one message instead of one libuv round trip (and
 * one thread wake-up) per inode. It lowers its own scheduling priority (Linux: setpriority on its thread id)
 * so that on a busy machine it yields to the event loop.
 */
const MAKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) os.setPriority(tid, 10);
} catch {}
const NAME = /^sp-(\\d+)-[0-9a-f]+-\\d+(\\.[db])?$/;
function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}
parentPort.on('message', ({ id, req }) => {
  const files = [];
  const folders = [];
  const removed = [];
  let error;
  try {
    // Not recursive: a store whose root was removed (a test's cleanup) gets an error, not a new root.
    try { fs.mkdirSync(req.dir); } catch (e) { if (e.code !== 'EEXIST') throw e; }
    if (req.removeLeftovers) {
      for (const name of fs.readdirSync(req.dir)) {
        const m = NAME.exec(name);
        if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
        try { fs.rmSync(path.join(req.dir, name), { recursive: true, force: true }); } catch {}
      }
    }
    for (const b of req.removeIfEmpty) {
      try { fs.rmdirSync(b); removed.push(b); } catch (e) { if (e.code === 'ENOENT') removed.push(b); }
    }
    fs.mkdirSync(req.batch);
    for (const f of req.files) { fs.closeSync(fs.openSync(f, 'wx')); files.push(f); }
    for (const d of req.folders) { fs.mkdirSync(d); folders.push(d); }
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  parentPort.postMessage({ id, res: { files, folders, removed, error } });
});
`;

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, (res: MakeResult) => void>();

function maker(): Worker {
  if (worker) return worker;
  const w = new Worker(MAKER_SOURCE, { eval: true, name: 'lakecast-inode-maker' });
  w.unref(); // idle, it never keeps the process alive
  w.on('message', ({ id, res }: { id: number; res: MakeResult }) => {
    waiting.get(id)?.(res);
    waiting.delete(id);
    if (waiting.size === 0) w.unref();
  });
  const fail = (err: unknown) => {
    worker = null;
    for (const done of waiting.values()) done({ files: [], folders: [], removed: [], error: String(err) });
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(`inode maker exited with ${code}`));
  worker = w;
  return w;
}

/**
 * Creates empty files and folders on the process's one maker thread (started on first use, shared by every
 * local store). Never rejects: what could not be made is missing from the result, with the error.
 */
export function makeInodes(req: MakeRequest): Promise<MakeResult> {
  return new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    try {
      const w = maker();
      w.ref(); // a batch in flight keeps the process alive until it answers
      w.postMessage({ id, req });
    } catch (err) {
      waiting.delete(id);
      resolve({ files: [], folders: [], removed: [], error: String(err) });
    }
  });
}
