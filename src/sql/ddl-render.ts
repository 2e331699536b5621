import { SERDE_PROPERTY_PREFIX } from '../catalog/table-properties.js';
import type { ColumnDefinition, SchemaRecord, TableDefinition } from '../catalog/types.js';

/** A name in backticks (MySQL style; Lakecast's own parser reads it back). */
export function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A string literal for Lakecast's parser (MySQL strings): `'` doubled, backslashes escaped. */
export function quoteString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A delimiter as Hive writes it: printable characters as is, others as octal escapes (`'\001'`). */
export function quoteDelimiter(d: string): string {
  const code = d.charCodeAt(0);
  if (code >= 32 && code < 127 && d !== '\\' && d !== "'") return `'${d}'`;
  if (d === '\t') return "'\\t'";
  return `'\\${code.toString(8).padStart(3, '0')}'`;
}

function columnLines(cols: readonly ColumnDefinition[]): string {
  return cols
    .map(
      (c) =>
        `  ${quoteName(c.name)} ${c.type}${c.comment === undefined ? '' : ` COMMENT ${quoteString(c.comment)}`}`,
    )
    .join(',\n');
}

/** The CREATE EXTERNAL TABLE statement that re-creates a table (SHOW CREATE TABLE). */
export function renderCreateTable(def: TableDefinition): string {
  const parts = [
    `CREATE EXTERNAL TABLE ${quoteName(def.schema)}.${quoteName(def.name)} (\n${columnLines(def.columns)}\n)`,
  ];
  if (def.comment !== undefined) parts.push(`COMMENT ${quoteString(def.comment)}`);
  if (def.partitionColumns.length > 0)
    parts.push(`PARTITIONED BY (\n${columnLines(def.partitionColumns)}\n)`);
  const props = { ...def.properties };
  const serde = props.serde;
  delete props.serde;
  const serdeProps: string[] = [];
  for (const key of Object.keys(props).sort()) {
    if (!key.startsWith(SERDE_PROPERTY_PREFIX)) continue;
    serdeProps.push(`${quoteString(key.slice(SERDE_PROPERTY_PREFIX.length))}=${quoteString(props[key]!)}`);
    delete props[key];
  }
  if (serde !== undefined)
    parts.push(
      `ROW FORMAT SERDE ${quoteString(serde)}${serdeProps.length > 0 ? ` WITH SERDEPROPERTIES (${serdeProps.join(', ')})` : ''}`,
    );
  else if ((def.format === 'CSV' || def.format === 'TEXTFILE') && def.delimiter !== undefined)
    parts.push(`ROW FORMAT DELIMITED FIELDS TERMINATED BY ${quoteDelimiter(def.delimiter)}`);
  parts.push(`STORED AS ${def.format}`);
  parts.push(`LOCATION ${quoteString(def.location)}`);
  const keys = Object.keys(props).sort();
  if (keys.length > 0)
    parts.push(`TBLPROPERTIES (${keys.map((k) => `${quoteString(k)}=${quoteString(props[k])}`).join(', ')})`);
  return parts.join('\n');
}

/** SHOW CREATE DATABASE's statement. */
export function renderCreateDatabase(schema: SchemaRecord): string {
  const comment = schema.comment === undefined ? '' : ` COMMENT ${quoteString(schema.comment)}`;
  return `CREATE DATABASE ${quoteName(schema.name)}${comment}`;
}
