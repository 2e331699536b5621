/**
 * Messages between the task service (main thread) and the executor thread. Plain data only: everything is
 * structured-cloned by `postMessage`.
 */
import type { TableDefinition } from '../../catalog/index.js';
import type { S3Settings } from '../../storage/index.js';
import type { ExecuteJob, ExecuteOutcome } from '../executor.js';

/** What the executor thread starts with (its `workerData`). */
export interface ExecutorThreadInit {
  /** Lakecast's data dir (the thread's engine keeps its temp folder under `<dataDir>/engine/`). */
  readonly dataDir: string;
  /** The thread engine's DuckDB `memory_limit` (`25%`, `2GB` …). */
  readonly memoryLimit: string;
  /** DuckDB worker threads (0: one per core). */
  readonly threads: number;
  /** Folders the engine may read (the sandbox's defence in depth, as for the main engine). */
  readonly allowedDirectories: readonly string[];
  /** The results root URI (`file:///…/` or `s3://…`) and the S3 credentials it needs. */
  readonly resultsUri: string;
  readonly s3?: S3Settings;
  readonly logLevel: string;
}

/** A change to the engine's catalog of lake tables, replayed on the thread's engine. */
export type EngineChange =
  | { readonly op: 'ensureSchema'; readonly name: string }
  | { readonly op: 'dropSchema'; readonly name: string }
  | { readonly op: 'registerTable'; readonly def: TableDefinition; readonly dir: string }
  | { readonly op: 'unregisterTable'; readonly schema: string; readonly name: string };

/** Main → thread. `n` numbers requests; answers carry it back. */
export type ToThread =
  | { readonly type: 'execute'; readonly n: number; readonly job: ExecuteJob }
  | { readonly type: 'abort'; readonly n: number }
  | { readonly type: 'engine'; readonly n: number; readonly change: EngineChange }
  | { readonly type: 'close' };

/** An error as it crosses the thread boundary: a Lakecast error's stable code and message, else none. */
export interface ThreadError {
  readonly code: string | null;
  readonly message: string;
}

/** Thread → main. */
export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'start-failed'; readonly error: ThreadError }
  | { readonly type: 'progress'; readonly n: number; readonly percent: number }
  | { readonly type: 'done'; readonly n: number; readonly outcome: ExecuteOutcome }
  | { readonly type: 'failed'; readonly n: number; readonly error: ThreadError }
  | { readonly type: 'engine-done'; readonly n: number; readonly error?: ThreadError }
  | { readonly type: 'closed' };
