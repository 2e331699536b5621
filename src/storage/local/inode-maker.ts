import { LOWER_THREAD_PRIORITY } from '../../shared/index.js';
import { HelperThread } from './helper-thread.js';

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
  /** First remove entries named `sp-<this host tag>-<pid>-…` of processes that no longer run (null: don't). */
  readonly removeLeftoversOf: string | null;
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
const path = require('node:path');
${LOWER_THREAD_PRIORITY(10)}
const NAME = /^sp-([0-9a-f]{8})-(\\d+)-[0-9a-f]+-\\d+(\\.[db])?$/;
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
    if (req.removeLeftoversOf) {
      for (const name of fs.readdirSync(req.dir)) {
        const m = NAME.exec(name);
        if (!m || m[1] !== req.removeLeftoversOf) continue;
        if (Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
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

const maker = new HelperThread<MakeRequest, MakeResult>(MAKER_SOURCE, 'lakecast-inode-maker', (error) => ({
  files: [],
  folders: [],
  removed: [],
  error,
}));

/**
 * Creates empty files and folders on the process's one maker thread (started on first use, shared by every
 * local store). Never rejects: what could not be made is missing from the result, with the error.
 */
export function makeInodes(req: MakeRequest): Promise<MakeResult> {
  return maker.call(req);
}
