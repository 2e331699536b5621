import { SERDE_PROPERTY_PREFIX } from '../../catalog/table-properties.js';
import type { ColumnDefinition, TableFormat } from '../../catalog/types.js';
import { nearMiss } from '../../shared/edit-distance.js';
import type { Cursor } from '../cursor.js';
import { forbidden, unsupported } from '../errors.js';
import { formatHiveType, parseHiveType } from '../hive-types.js';
import { decodeDelimiter } from './delimiter.js';
import { normalizeName } from './env.js';
import { resolveSerde } from './serde.js';

/** CREATE EXTERNAL TABLE as parsed, before the catalog (names normalized, types canonical). */
export interface ParsedExternalTable {
  readonly kind: 'createExternalTable';
  readonly ifNotExists: boolean;
  readonly schema: string | null;
  readonly name: string;
  readonly columns: ColumnDefinition[];
  readonly partitionColumns: ColumnDefinition[];
  readonly format: TableFormat;
  readonly location: string;
  readonly delimiter?: string;
  readonly properties: Record<string, string>;
  readonly comment?: string;
}

const FORMATS: readonly TableFormat[] = ['CSV', 'TEXTFILE', 'JSON', 'PARQUET'];
const MAX_COMMENT = 1024;
const MAX_PROPERTIES = 64;

function comment(c: Cursor): string {
  const at = c.pos;
  const text = c.string('a quoted comment');
  if (text.length > MAX_COMMENT) throw c.error(`comment longer than ${MAX_COMMENT} characters`, at);
  return text;
}

function columnList(c: Cursor, seen: Set<string>): ColumnDefinition[] {
  c.expectPunct('(');
  const cols: ColumnDefinition[] = [];
  do {
    const at = c.pos;
    const name = normalizeName(c.name('a column name'), 'column');
    if (seen.has(name.toLowerCase())) throw c.error(`duplicate column name '${name}'`, at);
    seen.add(name.toLowerCase());
    const type = formatHiveType(parseHiveType(c));
    cols.push(c.acceptWords('COMMENT') ? { name, type, comment: comment(c) } : { name, type });
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return cols;
}

interface RowFormat {
  delimiter?: string;
  serde?: string;
  serdeProperties?: Record<string, string>;
  /** `NULL DEFINED AS '…'`, kept as the `serialization.null.format` property (Hive's name for it). */
  nullFormat?: string;
}

function rowFormat(c: Cursor): RowFormat {
  if (c.acceptWords('SERDE')) {
    const serde = c.string('a SerDe class name');
    // Resolved with the format once STORED AS is known (serde.ts).
    return { serde, serdeProperties: c.acceptWords('WITH', 'SERDEPROPERTIES') ? properties(c) : {} };
  }
  c.expectWords('DELIMITED');
  const out: RowFormat = {};
  for (;;) {
    if (c.acceptWords('FIELDS', 'TERMINATED', 'BY')) {
      const at = c.pos;
      const d = decodeDelimiter(c.rawString('a quoted delimiter'));
      if (d === null || d === '\n' || d === '\r') throw c.error('field delimiter must be one character', at);
      out.delimiter = d;
      // Hive's escape works outside quotes; DuckDB's CSV reader escapes only inside them: refused, not ignored.
      if (c.acceptWords('ESCAPED', 'BY')) throw unsupported('ROW FORMAT DELIMITED … ESCAPED BY');
    } else if (c.acceptWords('LINES', 'TERMINATED', 'BY')) {
      const at = c.pos;
      if (decodeDelimiter(c.rawString('a quoted line terminator')) !== '\n')
        throw c.error("only LINES TERMINATED BY '\\n' is supported", at);
    } else if (c.acceptWords('COLLECTION', 'ITEMS', 'TERMINATED', 'BY')) {
      // Text files' ARRAY/MAP/STRUCT columns are read in DuckDB's literal syntax, not Hive's delimited one.
      throw unsupported('ROW FORMAT DELIMITED … COLLECTION ITEMS TERMINATED BY');
    } else if (c.acceptWords('MAP', 'KEYS', 'TERMINATED', 'BY')) {
      throw unsupported('ROW FORMAT DELIMITED … MAP KEYS TERMINATED BY');
    } else if (c.acceptWords('NULL', 'DEFINED', 'AS')) {
      const at = c.pos;
      const marker = c.string('a quoted NULL marker');
      if (marker.length > 64) throw c.error('NULL marker too long', at);
      out.nullFormat = marker;
    } else {
      return out;
    }
  }
}

/** TBLPROPERTIES keys Lakecast acts on. Any other key is kept as metadata, as Hive keeps it. */
const KNOWN_PROPERTIES = ['skip.header.line.count', 'serialization.null.format'] as const;

/**
 * The known key that `key` looks like a misspelling of (case, `_`/`-` for `.`, or up to two letters off), so
 * that a typo is refused instead of kept as metadata with no effect; undefined for an exact or unrelated key.
 */
export function misspeltProperty(key: string): string | undefined {
  if ((KNOWN_PROPERTIES as readonly string[]).includes(key)) return undefined;
  const normal = key.toLowerCase().replace(/[_\-\s]/g, '.');
  return nearMiss(normal, KNOWN_PROPERTIES);
}

function properties(c: Cursor): Record<string, string> {
  c.expectPunct('(');
  const out: Record<string, string> = {};
  do {
    const at = c.pos;
    const key = c.string('a quoted property name');
    c.expectPunct('=');
    const value = c.string('a quoted property value');
    if (key.length === 0 || key.length > 128 || value.length > 1024) throw c.error('property too long', at);
    if (key === 'serde' || key.startsWith(SERDE_PROPERTY_PREFIX))
      throw c.error(
        `'${key}' is reserved: give the SerDe as ROW FORMAT SERDE '…' WITH SERDEPROPERTIES (…)`,
        at,
      );
    const meant = misspeltProperty(key);
    if (meant) throw c.error(`unknown table property '${key}': did you mean '${meant}'?`, at);
    if (key === 'serialization.null.format' && value.length > 64)
      throw c.error('NULL marker too long', at + 2);
    if (key === 'skip.header.line.count' && !/^\d{1,3}$/.test(value))
      throw c.error("'skip.header.line.count' must be a small non-negative integer", at + 2);
    out[key] = value;
    if (Object.keys(out).length > MAX_PROPERTIES) throw c.error(`more than ${MAX_PROPERTIES} properties`, at);
  } while (c.acceptPunct(','));
  c.expectPunct(')');
  return out;
}

/**
 * Parses DLA/Hive `CREATE [EXTERNAL] TABLE [IF NOT EXISTS] [db.]t (col type [COMMENT '…'], …) [COMMENT '…']
 * [PARTITIONED BY (…)] [ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' [LINES TERMINATED BY '\n'] | ROW FORMAT
 * SERDE '…'] STORED AS CSV|TEXTFILE|JSON|PARQUET LOCATION '…' [TBLPROPERTIES ('k'='v', …)]`. Clauses after the
 * column list may come in any order, each once. Errors are LC_SQL_SYNTAX at the offending token.
 */
export function parseCreateExternalTable(c: Cursor): ParsedExternalTable {
  c.expectWords('CREATE');
  c.acceptWords('EXTERNAL');
  c.expectWords('TABLE');
  const ifNotExists = c.acceptWords('IF', 'NOT', 'EXISTS');
  const [q, n] = c.qualifiedName();
  const schema = q === null ? null : normalizeName(q, 'database');
  const name = normalizeName(n, 'table');
  const seen = new Set<string>();
  if (c.isWords('AS') || c.isWords('LIKE'))
    throw forbidden('CREATE TABLE … AS/LIKE', 'the lake is read-only through SQL');
  const columns = columnList(c, seen);
  const done = new Set<string>();
  let partitionColumns: ColumnDefinition[] = [];
  let format: TableFormat | undefined;
  let location: string | undefined;
  let row: RowFormat = {};
  let props: Record<string, string> = {};
  let tableComment: string | undefined;
  let rowAt = -1;
  while (!c.atEnd()) {
    const at = c.pos;
    const clause = c.acceptOneOf('COMMENT', 'PARTITIONED', 'ROW', 'STORED', 'LOCATION', 'TBLPROPERTIES');
    if (clause === null)
      throw c.error('expected COMMENT, PARTITIONED BY, ROW FORMAT, STORED AS, LOCATION or TBLPROPERTIES');
    if (done.has(clause)) throw c.error(`duplicate ${clause} clause`, at);
    done.add(clause);
    if (clause === 'COMMENT') tableComment = comment(c);
    else if (clause === 'PARTITIONED') {
      c.expectWords('BY');
      partitionColumns = columnList(c, seen);
    } else if (clause === 'ROW') {
      rowAt = at;
      c.expectWords('FORMAT');
      row = rowFormat(c);
    } else if (clause === 'STORED') {
      c.expectWords('AS');
      const fat = c.pos;
      const f = c.name('a file format').toUpperCase();
      if (f === 'ORC' || f === 'AVRO' || f === 'RCFILE' || f === 'SEQUENCEFILE')
        throw unsupported(`STORED AS ${f}`);
      if (!FORMATS.includes(f as TableFormat))
        throw c.error('expected a file format: CSV, TEXTFILE, JSON or PARQUET', fat);
      format = f as TableFormat;
    } else if (clause === 'LOCATION') {
      const lat = c.pos;
      location = c.string('a quoted location');
      if (!/^(file:\/\/\/|s3:\/\/[^/]+)/i.test(location)) {
        if (/^(oss|hdfs|gs|abfss?):\/\//i.test(location))
          throw unsupported(`LOCATION ${location.split(':')[0]}://`);
        throw c.error("expected a location 'file:///absolute/path/' or 's3://bucket/prefix/'", lat);
      }
    } else {
      props = properties(c);
    }
  }
  if (format === undefined) throw c.error('expected STORED AS CSV|TEXTFILE|JSON|PARQUET');
  if (location === undefined) throw unsupported('CREATE TABLE without LOCATION (managed tables)');
  if (row.delimiter !== undefined && format !== 'CSV' && format !== 'TEXTFILE')
    throw c.error(`ROW FORMAT DELIMITED does not apply to ${format} tables`, rowAt);
  const serde =
    row.serde === undefined
      ? undefined
      : resolveSerde(row.serde, row.serdeProperties ?? {}, format, (m) => c.error(m, rowAt));
  if (serde) format = serde.format;
  const delimiter =
    serde?.delimiter ??
    row.delimiter ??
    (format === 'TEXTFILE' ? '\u0001' : format === 'CSV' ? ',' : undefined);
  if (row.nullFormat !== undefined && props['serialization.null.format'] !== undefined)
    throw c.error("NULL DEFINED AS and TBLPROPERTIES 'serialization.null.format' both given", rowAt);
  if (props['serialization.null.format'] !== undefined && format !== 'CSV' && format !== 'TEXTFILE')
    throw c.error(`'serialization.null.format' does not apply to ${format} tables`);
  const properties_ = {
    ...props,
    ...serde?.properties,
    ...(row.nullFormat === undefined ? {} : { 'serialization.null.format': row.nullFormat }),
  };
  return {
    kind: 'createExternalTable',
    ifNotExists,
    schema,
    name,
    columns,
    partitionColumns,
    format,
    location,
    ...(delimiter === undefined ? {} : { delimiter }),
    properties: properties_,
    ...(tableComment === undefined ? {} : { comment: tableComment }),
  };
}
