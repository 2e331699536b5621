import type { TableRow } from './database.js';
import { invalidInput } from './errors.js';
import { normalizeColumnName, normalizeSchemaName, normalizeTableName } from './names.js';
import type { ColumnDefinition, TableDefinition, TableFormat } from './types.js';

/** Limits on free text stored in the catalog (MySQL's own limits where it has one). */
export const MAX_COMMENT_LENGTH = 2048;
export const MAX_COLUMNS = 4096;
export const MAX_LOCATION_LENGTH = 4096;
export const MAX_TYPE_LENGTH = 512;
export const MAX_PROPERTY_LENGTH = 4096;
export const MAX_OWNER_LENGTH = 64;

const FORMATS: readonly TableFormat[] = ['CSV', 'TEXTFILE', 'JSON', 'PARQUET'];

/** A string within `max` characters, else LC_CATALOG_INVALID_INPUT naming `what`. */
export function checkText(value: unknown, what: string, max: number, allowEmpty = false): string {
  if (typeof value !== 'string') throw invalidInput(`${what} must be a string`);
  if (!allowEmpty && value.length === 0) throw invalidInput(`${what} must not be empty`);
  if (value.length > max) throw invalidInput(`${what} is too long (max ${max} characters)`);
  return value;
}

function optionalText(value: unknown, what: string, max: number): string | null {
  return value === undefined || value === null ? null : checkText(value, what, max, true);
}

function checkColumns(value: unknown, what: string, seen: Set<string>): ColumnDefinition[] {
  if (!Array.isArray(value)) throw invalidInput(`${what} must be an array`);
  if (value.length > MAX_COLUMNS) throw invalidInput(`too many columns (max ${MAX_COLUMNS})`);
  return value.map((c: Partial<ColumnDefinition> | null) => {
    if (typeof c !== 'object' || c === null) throw invalidInput(`${what} entries must be objects`);
    const name = normalizeColumnName(c.name);
    // Column names are case-insensitive in MySQL: `a` and `A` are the same column.
    if (seen.has(name.toLowerCase())) throw invalidInput(`Duplicate column name '${name}'`);
    seen.add(name.toLowerCase());
    const type = checkText(c.type, `type of column '${name}'`, MAX_TYPE_LENGTH).toUpperCase();
    const comment = optionalText(c.comment, `comment of column '${name}'`, MAX_COMMENT_LENGTH);
    return comment === null ? { name, type } : { name, type, comment };
  });
}

/** Validates a table definition and turns it into its row (names normalized, JSON columns serialized). */
export function tableToRow(def: Omit<TableDefinition, 'createdAt'>, createdAt: Date): TableRow {
  if (typeof def !== 'object' || def === null) throw invalidInput('table definition must be an object');
  const schema = normalizeSchemaName(def.schema);
  const name = normalizeTableName(def.name);
  const seen = new Set<string>();
  const columns = checkColumns(def.columns, 'columns', seen);
  if (columns.length === 0) throw invalidInput('A table must have at least 1 column');
  const partitionColumns = checkColumns(def.partitionColumns ?? [], 'partitionColumns', seen);
  if (!FORMATS.includes(def.format)) {
    throw invalidInput(
      `unknown table format '${String(def.format).slice(0, 32)}' (use ${FORMATS.join(', ')})`,
    );
  }
  const properties: Record<string, string> = {};
  const props = def.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw invalidInput('properties must be an object of strings');
  }
  for (const [k, v] of Object.entries(props)) {
    properties[checkText(k, 'property name', 256)] = checkText(
      v,
      `property '${k}'`,
      MAX_PROPERTY_LENGTH,
      true,
    );
  }
  return {
    schema_name: schema,
    name,
    columns_json: JSON.stringify(columns),
    partition_columns_json: JSON.stringify(partitionColumns),
    format: def.format,
    location: checkText(def.location, 'location', MAX_LOCATION_LENGTH),
    delimiter: optionalText(def.delimiter, 'delimiter', 16),
    properties_json: JSON.stringify(properties),
    comment: optionalText(def.comment, 'comment', MAX_COMMENT_LENGTH),
    owner: checkText(def.owner, 'owner', MAX_OWNER_LENGTH),
    created_at: createdAt.toISOString(),
  };
}

/** The inverse of {@link tableToRow}. */
export function rowToTable(row: TableRow): TableDefinition {
  return {
    schema: row.schema_name,
    name: row.name,
    columns: JSON.parse(row.columns_json) as ColumnDefinition[],
    partitionColumns: JSON.parse(row.partition_columns_json) as ColumnDefinition[],
    format: row.format as TableFormat,
    location: row.location,
    ...(row.delimiter === null ? {} : { delimiter: row.delimiter }),
    properties: JSON.parse(row.properties_json) as Record<string, string>,
    ...(row.comment === null ? {} : { comment: row.comment }),
    owner: row.owner,
    createdAt: new Date(row.created_at),
  };
}
