/**
 * The part of a task that does the work: run the vetted query on the engine, encode its rows and write the
 * result file. The task service keeps everything else (queue, catalog rows, events, cancel bookkeeping) and
 * hands each task's query to a {@link TaskExecutor}: {@link createInlineExecutor} runs it on the calling
 * thread, the thread executor (thread/) on an engine and result store of its own in a worker thread.
 */
import { LakecastError, type Logger, silentLogger } from '../shared/index.js';
import type { ObjectBody, ObjectStore } from '../storage/index.js';
import { encodeCsv, encodeNdjson } from './encode.js';
import { TaskErrors } from './errors.js';
import { asDiskFull, ResultBudget, type ResultLimits, withinBudget } from './result-budget.js';
import type { ParquetWriter, TaskServiceDeps } from './types.js';

const NO_LIMITS: ResultLimits = { maxBytes: 0, minFreeBytes: 0 };

/** A result file format (the `output-format` hint). */
export type OutputFormat = 'csv' | 'json' | 'parquet';

/** One task's query, as the executor gets it. Plain data: it crosses threads. */
export interface ExecuteJob {
  /** The result file's key in the result store (`YYYY/MM/DD/<task id>/result.<ext>`). */
  readonly key: string;
  /** The SQL front's `prepareUserQuery` output: vetted engine SQL, never raw user text. */
  readonly engineSql: string;
  /** False when the query reads no table (no profiler needed); default true. */
  readonly scans?: boolean;
  /** Schema unqualified names resolve in (the session's database). */
  readonly defaultSchema?: string;
  readonly format: OutputFormat;
  /** Limits on the result file (absent: none). */
  readonly limits?: ResultLimits;
}

/** What a finished job reports. */
export interface ExecuteOutcome {
  /** Bytes of the result file, which is durable in the result store when this is returned. */
  readonly size: number;
  readonly rowsReturned: number;
  readonly scannedRows: number;
  readonly scannedBytes: number;
}

/** Options of one {@link TaskExecutor.execute} call. */
export interface ExecuteOptions {
  /** Aborting interrupts the query and rejects with the engine's LC_CANCELLED; no result file is left. */
  readonly signal: AbortSignal;
  /** The engine's percent done while the query runs. */
  readonly onProgress?: (percent: number) => void;
}

/** Runs task queries and writes their result files. */
export interface TaskExecutor {
  /** The result formats it can write (`parquet` needs a Parquet writer). */
  readonly formats: readonly OutputFormat[];
  /**
   * Runs `job` and writes its result file under `job.key`; resolves once the file is durable. On failure or
   * abort it rejects and the file does not exist (the caller deletes the key anyway, in case the abort came
   * after the write).
   */
  execute(job: ExecuteJob, options: ExecuteOptions): Promise<ExecuteOutcome>;
  /** Stops the executor (running jobs are aborted first by the service). */
  close?(): Promise<void>;
}

/** What {@link createInlineExecutor} needs: the engine, the result store and the optional Parquet writer. */
export type InlineExecutorDeps = Pick<TaskServiceDeps, 'engine'> & {
  readonly resultStore: ObjectStore;
  readonly writeParquet?: ParquetWriter;
  readonly logger?: Logger;
};

/** An executor that runs queries on `deps.engine` and writes to `deps.resultStore` on the calling thread. */
export function createInlineExecutor(deps: InlineExecutorDeps): TaskExecutor {
  const logger = deps.logger ?? silentLogger();
  return {
    formats: deps.writeParquet ? ['csv', 'json', 'parquet'] : ['csv', 'json'],
    async execute(job, { signal, onProgress }) {
      let dispose: (() => Promise<void>) | undefined;
      try {
        let source: ObjectBody;
        let stats: () => { rowsReturned: number; scannedRows: number; scannedBytes: number };
        if (job.format === 'parquet') {
          if (!deps.writeParquet)
            throw new LakecastError(TaskErrors.TASK_UNSUPPORTED, 'output-format=parquet is not available');
          const r = await deps.writeParquet(job.engineSql, {
            signal,
            onProgress,
            defaultSchema: job.defaultSchema,
            limits: job.limits ?? NO_LIMITS,
          });
          dispose = r.dispose;
          source = r.body;
          stats = r.stats;
        } else {
          const result = await deps.engine.query(job.engineSql, {
            signal,
            onProgress,
            defaultSchema: job.defaultSchema,
            scans: job.scans,
          });
          const encode = job.format === 'json' ? encodeNdjson : encodeCsv;
          // The encoder's chunks go straight to the store: no stream in between (for a small result the
          // stream machinery cost more main-thread time than the encoding).
          source = encode(result.columns, result.batches);
          stats = () => result.stats();
        }
        const limits = job.limits ?? NO_LIMITS;
        const budget = new ResultBudget(limits, deps.resultStore.freeBytes?.bind(deps.resultStore));
        const { size } = await deps.resultStore
          .put(job.key, withinBudget(source, budget))
          .catch((err: unknown) => {
            throw asDiskFull(err, limits);
          });
        signal.throwIfAborted();
        const s = stats();
        return {
          size,
          rowsReturned: s.rowsReturned,
          scannedRows: s.scannedRows,
          scannedBytes: s.scannedBytes,
        };
      } finally {
        if (dispose) await dispose().catch((err) => logger.warn({ err }, 'could not delete a temp file'));
      }
    },
  };
}
