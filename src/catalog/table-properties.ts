/**
 * What a lake table's properties mean to the readers (`TableDefinition.properties`): written by the SQL front's
 * CREATE EXTERNAL TABLE (src/sql/statements/serde.ts), read by the engine's views (src/engine/duckdb/lake.ts).
 */

/** Quoted CSV: separator `,`, quote `"`, escape `\` unless its properties say otherwise. */
export const OPEN_CSV_SERDE = 'org.apache.hadoop.hive.serde2.OpenCSVSerde';

/** Table properties that keep a SerDe property (`serde.<name>`), shown again by SHOW CREATE TABLE. */
export const SERDE_PROPERTY_PREFIX = 'serde.';

/**
 * The reader settings a CSV/TEXTFILE table's properties ask for: NULL marker (`NULL DEFINED AS`,
 * `serialization.null.format` as a table or LazySimpleSerDe property), and OpenCSVSerde's quote and escape.
 */
export function textReading(properties: Readonly<Record<string, string>>): {
  nullFormat?: string;
  quote?: string;
  escape?: string;
} {
  const nullFormat =
    properties['serialization.null.format'] ??
    properties[`${SERDE_PROPERTY_PREFIX}serialization.null.format`];
  if (properties.serde !== OPEN_CSV_SERDE) return nullFormat === undefined ? {} : { nullFormat };
  return {
    ...(nullFormat === undefined ? {} : { nullFormat }),
    quote: properties[`${SERDE_PROPERTY_PREFIX}quoteChar`] ?? '"',
    escape: properties[`${SERDE_PROPERTY_PREFIX}escapeChar`] ?? '\\',
  };
}
