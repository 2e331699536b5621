import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/*
 * Scan statistics from DuckDB's JSON profile. Each pooled connection runs with `enable_profiling='json'` and
 * its own `profiling_output` file; DuckDB rewrites that file when a query finishes (for a streamed result:
 * when its last chunk has been fetched). The C API's duckdb_get_profiling_info is not exposed by
 * @duckdb/node-bindings 1.5.6, hence the file.
 */

interface ProfileNode {
  operator_type?: string;
  operator_rows_scanned?: number;
  operator_cardinality?: number;
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

/** What one finished query scanned. */
export interface ScanSummary {
  /** Rows read by table scans (operator_rows_scanned; for CSV/JSON readers, and when 0, the scan's output rows). */
  rows: number;
  /** File patterns the scans read, with the number of files each scan reports having read. */
  files: { pattern: string; filesRead: number | null }[];
}

/** Reads and summarizes a profile file; null when it is missing or unreadable (e.g. an interrupted query). */
export async function readProfile(file: string): Promise<ScanSummary | null> {
  let root: ProfileNode;
  try {
    root = JSON.parse(await readFile(file, 'utf8')) as ProfileNode;
  } catch {
    return null;
  }
  const out: ScanSummary = { rows: 0, files: [] };
  const walk = (node: ProfileNode) => {
    if (node.operator_type === 'TABLE_SCAN') {
      const info = node.extra_info ?? {};
      const scanned = node.operator_rows_scanned ?? 0;
      // DuckDB 1.5's text readers report a byte-based figure as rows scanned (168 for 3 rows of 84 bytes);
      // they push no filters down, so their output rows are the rows they read.
      const textReader = /^READ_(CSV|JSON|NDJSON|TEXT)/i.test(String(info.Function ?? ''));
      out.rows += !textReader && scanned > 0 ? scanned : (node.operator_cardinality ?? 0);
      const names = info['Filename(s)'];
      const read = Number(info['Total Files Read']);
      const patterns = Array.isArray(names) ? names.map(String) : typeof names === 'string' ? [names] : [];
      for (const pattern of patterns) {
        out.files.push({ pattern, filesRead: Number.isFinite(read) ? read : null });
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

async function walkFiles(dir: string, visit: (file: string, size: number) => void): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walkFiles(full, visit);
    else if (e.isFile()) visit(full, (await stat(full)).size);
  }
}

/**
 * Bytes of the files a scan pattern matches. When the scan reports reading fewer files than match (Hive
 * partition pruning, a LIMIT that stopped early), the total is scaled by filesRead/matched: an estimate.
 */
export async function patternBytes(pattern: string, filesRead: number | null): Promise<number> {
  if (!/[*?[]/.test(pattern)) {
    try {
      return (await stat(pattern)).size;
    } catch {
      return 0;
    }
  }
  const firstGlob = pattern.search(/[*?[]/);
  const base = pattern.slice(0, pattern.lastIndexOf('/', firstGlob) + 1) || '/';
  const re = globToRegExp(pattern);
  let bytes = 0;
  let matched = 0;
  await walkFiles(base, (file, size) => {
    if (re.test(file)) {
      bytes += size;
      matched += 1;
    }
  });
  if (filesRead !== null && matched > 0 && filesRead < matched)
    return Math.round((bytes * filesRead) / matched);
  return bytes;
}
