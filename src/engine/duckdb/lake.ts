import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { type ColumnDefinition, type TableDefinition, textReading } from '../../catalog/index.js';

/** Double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Single-quoted SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A DDL type (Hive/DLA spelling, upper case) → DuckDB's. STRING/CHAR(n)/VARCHAR(n) → VARCHAR, INT → INTEGER,
 * ARRAY<T> → T[], MAP<K,V> → MAP(K, V), STRUCT<a:T> → STRUCT(a T); other names pass through (DuckDB
 * understands BIGINT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, BOOLEAN, FLOAT, TINYINT, SMALLINT …).
 */
export function duckType(ddlType: string): string {
  const t = ddlType.trim();
  const upper = t.toUpperCase();
  const generic = /^(ARRAY|MAP|STRUCT)\s*<(.*)>$/is.exec(t);
  if (generic) {
    const kind = generic[1].toUpperCase();
    const parts = splitTopLevel(generic[2]);
    if (kind === 'ARRAY') return `${duckType(parts[0])}[]`;
    if (kind === 'MAP') return `MAP(${duckType(parts[0])}, ${duckType(parts[1] ?? 'VARCHAR')})`;
    const fields = parts.map((p) => {
      const i = p.indexOf(':');
      return `${ident(p.slice(0, i).trim())} ${duckType(p.slice(i + 1))}`;
    });
    return `STRUCT(${fields.join(', ')})`;
  }
  if (upper === 'STRING' || /^(VAR)?CHAR\s*\(\s*\d+\s*\)$/.test(upper) || upper === 'CHAR') return 'VARCHAR';
  if (upper === 'INT') return 'INTEGER';
  if (upper === 'DATETIME') return 'TIMESTAMP';
  if (upper === 'BINARY') return 'BLOB';
  if (upper === 'LONG') return 'BIGINT';
  if (upper === 'SHORT') return 'SMALLINT';
  if (upper === 'BYTE') return 'TINYINT';
  if (!/^[A-Z][A-Z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/.test(upper)) {
    throw new Error(`unsupported column type ${ddlType}`);
  }
  return upper;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** Hive's default TEXTFILE field delimiter (Ctrl-A). */
export const HIVE_TEXTFILE_DELIMITER = '\u0001';

function structLiteral(cols: readonly ColumnDefinition[]): string {
  return `{${cols.map((c) => `${literal(c.name)}: ${literal(duckType(c.type))}`).join(', ')}}`;
}

/**
 * True for names Hive and Spark treat as hidden, never as data: `_SUCCESS`, `_temporary/`, `_committed_*`,
 * `.part-0.crc`, `.spark-staging-…` folders (Hadoop's FileInputFormat hidden-file filter: a leading `_` or `.`).
 */
export function isHiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

/**
 * Which files of a table folder the reader globs: recursive (through Hive partition folders), file names that
 * do not start with `_` or `.` ({@link isHiddenName}); PARQUET only `*.parquet`. DuckDB's `**` still
 * descends into hidden folders; see {@link tableSelectSql} for what happens to their files.
 */
export function tableGlob(def: TableDefinition, localDir: string): string {
  const dir = localDir.replace(/\/+$/, '');
  return def.format === 'PARQUET' ? `${dir}/**/[!_.]*.parquet` : `${dir}/**/[!_.]*`;
}

/** The text readers' file-name column in a lake view: only to drop rows of files in hidden folders. */
export const FILE_COLUMN = '__lakecast_file';

/** WHERE clause keeping only rows of files whose path below `dir` has no hidden folder. */
function visibleFilesFilter(dir: string): string {
  // substr counts characters, as DuckDB does (not UTF-16 units); the rest starts with `/`.
  const below = `substr(${ident(FILE_COLUMN)}, ${[...dir].length + 1})`;
  return `NOT contains(${below}, '/_') AND NOT contains(${below}, '/.')`;
}

/**
 * The SELECT a lake table's view runs: the format's reader over the files under `localDir` (see
 * {@link tableGlob}: never a hidden file such as `_SUCCESS` or `.crc`), with every column cast to its DDL
 * type so the DDL wins over what the reader would infer, partition columns parsed from `key=value` folders. With `hasFiles` false it is an empty SELECT with the same columns, because
 * DuckDB's readers fail on a pattern that matches nothing.
 *
 * Files in hidden folders (`_temporary/`, `.hive-staging…`): CSV, TEXTFILE and JSON views drop their rows with
 * a filter on the file name (these readers parse every byte anyway; a malformed JSON file there still fails
 * the query). Parquet views do not filter: the filter would cost the footer-only paths (`count(*)`) and
 * cannot help anyway, since `union_by_name` reads every matched footer when the query is bound.
 */
export function tableSelectSql(def: TableDefinition, localDir: string, hasFiles: boolean): string {
  const all = [...def.columns, ...def.partitionColumns];
  if (all.length === 0) throw new Error(`table ${def.schema}.${def.name} has no columns`);
  if (!hasFiles) {
    return `SELECT ${all.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${ident(c.name)}`).join(', ')} WHERE false`;
  }
  const dir = localDir.replace(/\/+$/, '');
  const glob = literal(tableGlob(def, dir));
  const file = `filename = ${literal(FILE_COLUMN)}`;
  const partitioned = def.partitionColumns.length > 0;
  const hive = partitioned
    ? `hive_partitioning = true, hive_types = ${structLiteral(def.partitionColumns)}`
    : 'hive_partitioning = false';
  let reader: string;
  switch (def.format) {
    case 'PARQUET':
      reader = `read_parquet(${glob}, ${hive}, union_by_name = true)`;
      break;
    case 'JSON':
      reader = `read_json(${glob}, format = 'newline_delimited', columns = ${structLiteral(def.columns)}, ${hive}, ${file})`;
      break;
    case 'CSV':
    case 'TEXTFILE': {
      const textfile = def.format === 'TEXTFILE';
      const delimiter = def.delimiter ?? (textfile ? HIVE_TEXTFILE_DELIMITER : ',');
      const skip = Number.parseInt(def.properties['skip.header.line.count'] ?? '0', 10) || 0;
      // NULL DEFINED AS / 'serialization.null.format'; else Hive's \N for TEXTFILE, DuckDB's empty field for CSV.
      const text = textReading(def.properties);
      const nullFormat = text.nullFormat ?? (textfile ? '\\N' : undefined);
      const options = [
        `columns = ${structLiteral(def.columns)}`,
        `delim = ${literal(delimiter)}`,
        'header = false',
        `skip = ${skip}`,
        'auto_detect = false',
        // Hive's LazySimpleSerDe has no quoting and writes NULL as \N; DLA's CSV follows RFC 4180.
        textfile
          ? "quote = '', escape = ''"
          : `quote = ${literal(text.quote ?? '"')}, escape = ${literal(text.escape ?? '"')}`,
        ...(nullFormat === undefined ? [] : [`nullstr = ${literal(nullFormat)}`]),
        'null_padding = true',
        // Hive ignores fields beyond the declared columns instead of failing the row.
        ...(textfile ? ['strict_mode = false'] : []),
        hive,
        file,
      ];
      reader = `read_csv(${glob}, ${options.join(', ')})`;
      break;
    }
    default:
      throw new Error(`unsupported table format ${String(def.format)}`);
  }
  const select = all.map((c) => `CAST(${ident(c.name)} AS ${duckType(c.type)}) AS ${ident(c.name)}`);
  const where = def.format === 'PARQUET' ? '' : ` WHERE ${visibleFilesFilter(dir)}`;
  return `SELECT ${select.join(', ')} FROM ${reader}${where}`;
}

/** One Hive partition folder of a table. */
export interface PartitionInfo {
  /** `dt=2026-11-22/region=eu`, as SHOW PARTITIONS prints it. */
  readonly spec: string;
  readonly values: Readonly<Record<string, string>>;
  /** Absolute folder path. */
  readonly path: string;
}

/**
 * Partition folders under `localDir` for `partitionColumns`, in order (`col=value` at each level, values
 * URL-decoded as Hive escapes them). Folders that do not follow the layout are ignored. Sorted by spec.
 */
export async function listPartitions(
  localDir: string,
  partitionColumns: readonly string[],
): Promise<PartitionInfo[]> {
  const out: PartitionInfo[] = [];
  const walk = async (dir: string, level: number, values: Record<string, string>, spec: string[]) => {
    if (level === partitionColumns.length) {
      out.push({ spec: spec.join('/'), values: { ...values }, path: dir });
      return;
    }
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const column = partitionColumns[level].toLowerCase();
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const eq = e.name.indexOf('=');
      if (eq < 0 || e.name.slice(0, eq).toLowerCase() !== column) continue;
      let value: string;
      try {
        value = decodeURIComponent(e.name.slice(eq + 1));
      } catch {
        value = e.name.slice(eq + 1);
      }
      await walk(path.join(dir, e.name), level + 1, { ...values, [partitionColumns[level]]: value }, [
        ...spec,
        e.name,
      ]);
    }
  };
  if (partitionColumns.length > 0) await walk(localDir, 0, {}, []);
  return out.sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : 0));
}

/** True when the folder (recursively, hidden folders skipped) holds a file the table's view would read. */
export async function hasDataFiles(def: TableDefinition, localDir: string): Promise<boolean> {
  const parquet = def.format === 'PARQUET';
  const walk = async (dir: string): Promise<boolean> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      if (e.isFile() && !isHiddenName(e.name) && (!parquet || e.name.endsWith('.parquet'))) return true;
    }
    for (const e of entries) {
      if (e.isDirectory() && !isHiddenName(e.name) && (await walk(path.join(dir, e.name)))) return true;
    }
    return false;
  };
  return walk(localDir);
}
