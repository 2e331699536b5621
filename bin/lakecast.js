#!/usr/bin/env node
// Entry point of the `lakecast` command: runs the compiled CLI (built by `npm install` through `prepare`).
// DuckDB's asynchronous calls and file I/O share libuv's thread pool (4 threads by default), which would cap the
// engine's concurrent queries; size it before anything starts it.
process.env.UV_THREADPOOL_SIZE ??= '16';
await import('../dist/cli/main.js');
