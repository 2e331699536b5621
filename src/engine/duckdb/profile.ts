import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parquetRowCount } from './parquet-footer.js';

/*
 * Scan statistics from DuckDB's JSON profile. Each pooled connection runs with `enable_profiling='json'` and
 * its own `profiling_output` file; DuckDB rewrites that file when a query finishes (for a streamed result:
 * when its last chunk has been fetched). The C API's duckdb_get_profiling_info is not exposed by
 * @duckdb/node-bindings 1.5.6, hence the file. Only the metrics read here are enabled
 * ({@link PROFILING_METRICS}): a smaller file, and no per-operator timers.
 */

/** `custom_profiling_settings` of the pooled connections: what {@link readProfile} reads, nothing more. */
export const PROFILING_METRICS = JSON.stringify({
  OPERATOR_TYPE: 'true',
  OPERATOR_ROWS_SCANNED: 'true',
  OPERATOR_CARDINALITY: 'true',
  EXTRA_INFO: 'true',
});

interface ProfileNode {
  operator_type?: string;
  operator_rows_scanned?: number;
  operator_cardinality?: number;
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

/** What one finished query scanned. */
export interface ScanSummary {
  /**
   * Rows read by table scans other than Parquet (operator_rows_scanned; for CSV/JSON readers, and when 0, the
   * scan's output rows). Parquet scans count through their files' footers instead (see {@link scanTotals}).
   */
  rows: number;
  /**
   * File patterns the scans read, with the number of files each scan reports having read; `parquet`: a Parquet
   * scan, whose rows are the row counts in the footers of the files it read.
   */
  files: { pattern: string; filesRead: number | null; parquet: boolean }[];
}

/**
 * Reads and summarizes a profile file; null when it is missing or unreadable (e.g. an interrupted query).
 * Synchronous on purpose: the file is a few KB DuckDB has just written (in the page cache), read in
 * microseconds, while an async read costs four thread-pool round trips on the query's path.
 */
export function readProfile(file: string): ScanSummary | null {
  let root: ProfileNode;
  try {
    root = JSON.parse(readFileSync(file, 'utf8')) as ProfileNode;
  } catch {
    return null;
  }
  const out: ScanSummary = { rows: 0, files: [] };
  const walk = (node: ProfileNode) => {
    if (node.operator_type === 'TABLE_SCAN') {
      const info = node.extra_info ?? {};
      const scanned = node.operator_rows_scanned ?? 0;
      const fn = String(info.Function ?? '');
      // DuckDB 1.5's text readers report a byte-based figure as rows scanned (168 for 3 rows of 84 bytes);
      // they push no filters down, so their output rows are the rows they read.
      const textReader = /^READ_(CSV|JSON|NDJSON|TEXT)/i.test(fn);
      // A Parquet scan reports its estimated cardinality times its threads (duckdb/duckdb#20944): 400,000 for
      // a 200,000-row file read by two threads. Its rows come from the footers of the files it read.
      const parquet = /^(READ_PARQUET|PARQUET_SCAN)$/i.test(fn);
      const names = info['Filename(s)'];
      const read = Number(info['Total Files Read']);
      const patterns = Array.isArray(names) ? names.map(String) : typeof names === 'string' ? [names] : [];
      if (!parquet || patterns.length === 0)
        out.rows += !textReader && !parquet && scanned > 0 ? scanned : (node.operator_cardinality ?? 0);
      for (const pattern of patterns) {
        out.files.push({ pattern, filesRead: Number.isFinite(read) ? read : null, parquet });
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** Glob (DuckDB syntax: `*`, `?`, `**`, `[…]`) → RegExp over absolute `/`-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        // `[!…]` negates in DuckDB's glob, `[^…]` in a RegExp (and never matches `/`).
        const set = pattern.slice(i + 1, end).replace(/^!/, '^/');
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** One folder a walk listed, with its modification time when it was listed. */
interface SeenDir {
  readonly dir: string;
  readonly mtimeNs: bigint;
}

/**
 * Files under `dir` (recursive) with their sizes; records every folder listed with its mtime, taken before the listing so a change during
 * the walk is noticed by the next validation.
 */
async function walkFiles(
  dir: string,
  visit: (file: string, size: number) => void,
  seen: SeenDir[],
): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    const mtimeNs = (await stat(dir, { bigint: true })).mtimeNs;
    entries = await readdir(dir, { withFileTypes: true });
    seen.push({ dir, mtimeNs });
  } catch {
    return;
  }
  const files = entries.filter((e) => e.isFile());
  const sizes = await Promise.all(files.map((e) => stat(path.join(dir, e.name)).catch(() => null)));
  files.forEach((e, i) => {
    const st = sizes[i];
    if (st) visit(path.join(dir, e.name), st.size);
  });
  for (const e of entries) {
    if (e.isDirectory()) await walkFiles(path.join(dir, e.name), visit, seen);
  }
}

/** Folders revalidated synchronously (a stat each, microseconds); above this, in parallel off the loop. */
const SYNC_VALIDATE_DIRS = 64;

/** Patterns whose sizes {@link ScanBytes} keeps. */
export const SCAN_BYTES_CACHE_SIZE = 1024;

/** True when every folder still has the mtime it had when it was listed (a missing folder: false). */
async function unchanged(dirs: readonly SeenDir[]): Promise<boolean> {
  if (dirs.length <= SYNC_VALIDATE_DIRS) {
    for (const d of dirs) {
      const st = statSync(d.dir, { bigint: true, throwIfNoEntry: false });
      if (!st || st.mtimeNs !== d.mtimeNs) return false;
    }
    return true;
  }
  const now = await Promise.all(dirs.map((d) => stat(d.dir, { bigint: true }).catch(() => null)));
  return now.every((st, i) => st !== null && st.mtimeNs === dirs[i].mtimeNs);
}

/**
 * Bytes of the files scan patterns match, remembered per pattern and revalidated by the mtimes of the folders
 * the pattern's walk listed: a file created, deleted or renamed (how Lakecast, Hive and Spark write: a temp
 * file renamed into place) changes its folder's mtime and the pattern is walked again. A file rewritten in
 * place under the same name is counted at its old size until its folder changes.
 */
export class ScanBytes {
  readonly #cache = new Map<string, PatternWalk>();

  /**
   * Bytes of the files `pattern` matches. When the scan reports reading fewer files than match (Hive
   * partition pruning, a LIMIT that stopped early), the total is scaled by filesRead/matched: an estimate.
   */
  async patternBytes(pattern: string, filesRead: number | null): Promise<number> {
    const walk = await this.#walk(pattern);
    return scaled(walk.bytes, walk.files.length, filesRead);
  }

  /**
   * Rows in the footers of the Parquet files `pattern` matches (files that are not readable Parquet count 0),
   * scaled as {@link patternBytes} is. Footers are read once per walk (a changed folder walks again).
   */
  async patternRows(pattern: string, filesRead: number | null): Promise<number> {
    const walk = await this.#walk(pattern);
    if (walk.rows === undefined) {
      let rows = 0;
      for (let i = 0; i < walk.files.length; i += FOOTER_READS_AT_ONCE) {
        const counts = await Promise.all(walk.files.slice(i, i + FOOTER_READS_AT_ONCE).map(parquetRowCount));
        for (const n of counts) rows += n ?? 0;
      }
      walk.rows = rows;
    }
    return scaled(walk.rows, walk.files.length, filesRead);
  }

  async #walk(pattern: string): Promise<PatternWalk> {
    if (!/[*?[]/.test(pattern)) {
      // A single file: not cached (one stat).
      const size = statSync(pattern, { throwIfNoEntry: false })?.size;
      return { dirs: [], bytes: size ?? 0, files: size === undefined ? [] : [pattern] };
    }
    let hit = this.#cache.get(pattern);
    if (hit && !(await unchanged(hit.dirs))) hit = undefined;
    if (!hit) {
      hit = await walkPattern(pattern);
      this.#cache.delete(pattern);
      this.#cache.set(pattern, hit);
      if (this.#cache.size > SCAN_BYTES_CACHE_SIZE)
        this.#cache.delete(this.#cache.keys().next().value as string);
    }
    return hit;
  }
}

/** Parquet footers read in parallel by {@link ScanBytes.patternRows}. */
const FOOTER_READS_AT_ONCE = 16;

/** The files a pattern matched at its last walk, their total size and (once asked for) their Parquet rows. */
interface PatternWalk {
  readonly dirs: SeenDir[];
  readonly bytes: number;
  readonly files: string[];
  rows?: number;
}

function scaled(total: number, matched: number, filesRead: number | null): number {
  if (filesRead !== null && matched > 0 && filesRead < matched)
    return Math.round((total * filesRead) / matched);
  return total;
}

async function walkPattern(pattern: string): Promise<PatternWalk> {
  const firstGlob = pattern.search(/[*?[]/);
  const base = pattern.slice(0, pattern.lastIndexOf('/', firstGlob) + 1) || '/';
  const re = globToRegExp(pattern);
  let bytes = 0;
  const files: string[] = [];
  const dirs: SeenDir[] = [];
  await walkFiles(
    base,
    (file, size) => {
      if (re.test(file)) {
        bytes += size;
        files.push(file);
      }
    },
    dirs,
  );
  return { dirs, bytes, files };
}

/**
 * Rows and bytes a finished query scanned: the profile's rows plus the footer rows of its Parquet scans, and
 * the bytes of the files its scans read (see {@link ScanBytes}).
 */
export async function scanTotals(
  scan: ScanSummary,
  scanBytes: ScanBytes,
): Promise<{ rows: number; bytes: number }> {
  let rows = scan.rows;
  let bytes = 0;
  for (const f of scan.files) {
    bytes += await scanBytes.patternBytes(f.pattern, f.filesRead);
    if (f.parquet) rows += await scanBytes.patternRows(f.pattern, f.filesRead);
  }
  return { rows, bytes };
}

/** {@link ScanBytes.patternBytes} without a cache (walks every time). */
export function patternBytes(pattern: string, filesRead: number | null): Promise<number> {
  return new ScanBytes().patternBytes(pattern, filesRead);
}
