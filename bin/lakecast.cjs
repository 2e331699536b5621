#!/usr/bin/env node
// Entry point of the `lakecast` command: runs the compiled CLI (built by `npm install` through `prepare`).
//
// CommonJS on purpose: libuv sizes its thread pool from UV_THREADPOOL_SIZE when the pool first starts, and an ES
// module entry starts it (the module loader reads files through it) before any of the entry's code runs — there
// the assignment below would come too late and the pool would keep libuv's 4 threads. DuckDB's calls hold a pool
// thread for as long as their query runs (up to 13 per engine: 8 queries, 4 light statements, 1 for metadata;
// the server has two engines), and file I/O needs threads beside them; src/server/thread-pool.ts checks it.
process.env.UV_THREADPOOL_SIZE ??= '32';
// The threads Node started before any of our code: V8's platform workers (which run the garbage collector's
// parallel phases while the event loop waits) and its delayed-task thread. The server gives them the event loop's
// priority (src/server/priority.ts); threads started later are told apart from them by this list.
try {
  globalThis[Symbol.for('lakecast.startupThreads')] = require('node:fs')
    .readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid);
} catch {
  // not Linux: priorities stay as they are
}
import('../dist/cli/main.js').catch((err) => {
  process.stderr.write(`error: ${err?.message ?? String(err)}\n`);
  process.exit(1);
});
