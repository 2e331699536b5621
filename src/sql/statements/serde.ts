/**
 * `ROW FORMAT SERDE '…' [WITH SERDEPROPERTIES (…)]` of CREATE EXTERNAL TABLE: the Hive SerDes whose files Lakecast
 * reads as Hive would, mapped onto its readers; any other SerDe or property is refused, because reading the files
 * with a different SerDe's rules would give wrong rows without an error.
 */
import { OPEN_CSV_SERDE, SERDE_PROPERTY_PREFIX } from '../../catalog/table-properties.js';
import type { TableFormat } from '../../catalog/types.js';
import { unsupported } from '../errors.js';
import { oneCharacter } from './delimiter.js';

/** Hive's default text SerDe (what `ROW FORMAT DELIMITED` means). */
export const LAZY_SIMPLE_SERDE = 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe';
const JSON_SERDES = [
  'org.openx.data.jsonserde.JsonSerDe',
  'org.apache.hive.hcatalog.data.JsonSerDe',
  'org.apache.hadoop.hive.serde2.JsonSerDe',
];
const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

/** How a table with a SerDe is read. */
export interface SerdeReading {
  /** The reader: OpenCSVSerde is read as CSV, a JSON SerDe as JSON, whatever `STORED AS` said. */
  readonly format: TableFormat;
  /** Field delimiter of a text SerDe, when its properties set one. */
  readonly delimiter?: string;
  /** The table properties to keep: the SerDe's class (`serde`) and its properties as `serde.<name>`. */
  readonly properties: Record<string, string>;
}

/** What `serde` with `serdeProperties` means for a table `STORED AS stored`; `error` makes a syntax error. */
export function resolveSerde(
  serde: string,
  serdeProperties: Readonly<Record<string, string>>,
  stored: TableFormat,
  error: (message: string) => Error,
): SerdeReading {
  const keep: Record<string, string> = { serde };
  const allow = (keys: readonly string[], formats: readonly TableFormat[]) => {
    if (!formats.includes(stored)) throw error(`SerDe '${serde}' does not apply to ${stored} tables`);
    for (const [key, value] of Object.entries(serdeProperties)) {
      if (!keys.includes(key)) throw unsupported(`SERDEPROPERTIES '${key}' of ${shortName(serde)}`);
      keep[SERDE_PROPERTY_PREFIX + key] = value;
    }
  };
  /** A one-character property, decoded (and kept decoded). */
  const char = (key: string): string | undefined => {
    const raw = serdeProperties[key];
    if (raw === undefined) return undefined;
    const c = oneCharacter(raw);
    if (c === null || c === '\n' || c === '\r') throw error(`SERDEPROPERTIES '${key}' must be one character`);
    keep[SERDE_PROPERTY_PREFIX + key] = c;
    return c;
  };
  if (serde === LAZY_SIMPLE_SERDE) {
    allow(['field.delim', 'serialization.format', 'serialization.null.format'], ['TEXTFILE', 'CSV']);
    const delimiter = char('field.delim') ?? char('serialization.format');
    return { format: stored, ...(delimiter === undefined ? {} : { delimiter }), properties: keep };
  }
  if (serde === OPEN_CSV_SERDE) {
    allow(['separatorChar', 'quoteChar', 'escapeChar'], ['TEXTFILE', 'CSV']);
    char('quoteChar');
    char('escapeChar');
    return { format: 'CSV', delimiter: char('separatorChar') ?? ',', properties: keep };
  }
  if (JSON_SERDES.includes(serde)) {
    allow([], ['TEXTFILE', 'JSON']);
    return { format: 'JSON', properties: keep };
  }
  if (serde === PARQUET_SERDE) {
    allow([], ['PARQUET']);
    return { format: 'PARQUET', properties: keep };
  }
  throw unsupported(`ROW FORMAT SERDE '${serde}'`);
}

function shortName(serde: string): string {
  return serde.slice(serde.lastIndexOf('.') + 1);
}
