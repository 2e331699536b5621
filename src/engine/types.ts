import type { Cell, ColumnMeta, RowBatch } from '../shared/index.js';

/** Options for one engine query. */
export interface QueryOptions {
  /** Aborting interrupts the running query (within ~100 ms for DuckDB) and ends `batches` with LC_CANCELLED. */
  readonly signal?: AbortSignal;
  /** Ends the query with LC_TIMEOUT after this many ms (0 or undefined = none). */
  readonly timeoutMs?: number;
  /** Called with the engine's percent done (0–100) while the query runs, at most every `progressIntervalMs`. */
  readonly onProgress?: (percent: number) => void;
  readonly progressIntervalMs?: number;
  /** Positional parameters for `?` / `$1` placeholders. */
  readonly params?: readonly Cell[];
  /** Schema unqualified table names resolve in (the MySQL session's current database); default `main`. */
  readonly defaultSchema?: string;
  /**
   * False when the caller knows the query reads no table or view and calls no table function (the sandbox's
   * analysis): it then runs without the engine's profiler and its scanned rows and bytes are 0. Default true.
   */
  readonly scans?: boolean;
}

/** Per-query statistics, final once `batches` has ended. */
export interface QueryStats {
  rowsReturned: number;
  /** Rows read by table scans. */
  scannedRows: number;
  /**
   * Bytes of the files the query's table scans opened (what DLA billed as `scanned_data_bytes`): the sizes
   * of the files each scan's file pattern matches, scaled by files read / files matched when partition
   * pruning skipped some. Whole-file sizes: Parquet column pruning is not subtracted. 0 for queries that
   * read no files.
   */
  scannedBytes: number;
  elapsedMs: number;
}

/** A running query: column metadata at once, rows streamed in batches. */
export interface EngineResult {
  readonly columns: readonly ColumnMeta[];
  /** Each batch holds at most ~2048 rows. Breaking out early interrupts the query. */
  readonly batches: AsyncIterable<RowBatch>;
  /** Statistics so far; final after `batches` ends. */
  stats(): QueryStats;
  /**
   * Interrupts the query; a pending or later `next()` of `batches` throws LC_CANCELLED. A result whose
   * batches will never be iterated must be cancelled, or its connection stays taken.
   */
  cancel(): void;
}

/** What the sandbox needs to know about a user statement, from the engine's own parser. */
export interface StatementAnalysis {
  /** Number of statements in the text. */
  readonly statementCount: number;
  /** True when the (single) statement is a read-only query (SELECT / VALUES / WITH … SELECT / set ops). */
  readonly isQuery: boolean;
  /** Tables referenced by name (schema may be null when unqualified). Excludes CTE names. */
  readonly tables: readonly { schema: string | null; name: string }[];
  /** Table functions called in FROM (`read_csv`, `range`, …), lower case. */
  readonly tableFunctions: readonly string[];
  /** Scalar and aggregate functions called anywhere, lower case. */
  readonly functions: readonly string[];
}

/**
 * The analytical engine behind Lakecast. Implementations: `duckdb/` (embedded, default); Trino later.
 * Statements reaching `query` have passed the SQL front's sandbox; `exec` is for Lakecast's own DDL.
 */
export interface Engine {
  /** Runs a read query and streams its rows. */
  query(sql: string, options?: QueryOptions): Promise<EngineResult>;
  /**
   * Result columns of a query without running it (for COM_STMT_PREPARE), and its parameter count.
   * `defaultSchema` resolves unqualified names as in {@link QueryOptions}.
   */
  describe(
    sql: string,
    options?: { defaultSchema?: string },
  ): Promise<{ columns: readonly ColumnMeta[]; paramCount: number }>;
  /** Parses a statement without running it. Throws LC_ENGINE_SYNTAX on a parse error. */
  analyze(sql: string): Promise<StatementAnalysis>;
  /** Runs trusted, internal SQL (schema/view DDL, demo data generation). Never call with user text. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
