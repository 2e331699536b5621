/**
 * The shape of statement results shared by the engine, the SQL front, the MySQL protocol and the HTTP API.
 * Rows travel as batches through an AsyncIterable so no component holds a whole result (DESIGN principle 4).
 */

/** Logical column types. Engines map their own types onto these; the protocol maps these onto MySQL's. */
export type ValueType =
  | 'NULL'
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INTEGER'
  | 'BIGINT'
  | 'UTINYINT'
  | 'USMALLINT'
  | 'UINTEGER'
  | 'UBIGINT'
  | 'HUGEINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'VARCHAR'
  | 'BLOB'
  | 'DATE'
  | 'TIME'
  | 'TIMESTAMP'
  | 'TIMESTAMPTZ'
  | 'INTERVAL'
  | 'UUID'
  /** LIST, STRUCT, MAP, ARRAY, UNION and JSON values, sent as JSON text. */
  | 'JSON';

/** Describes one result column. */
export interface ColumnMeta {
  readonly name: string;
  readonly type: ValueType;
  /** DECIMAL precision / VARCHAR max length when known. */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
  readonly nullable?: boolean;
  /** Source schema and table, when the column comes straight from one (MySQL column definitions carry them). */
  readonly schema?: string;
  readonly table?: string;
}

/**
 * One cell, normalized: integers up to 32 bits as `number`, BIGINT/HUGEINT/UBIGINT as `bigint`, FLOAT/DOUBLE as
 * `number`, DECIMAL as its exact decimal `string`, DATE as `YYYY-MM-DD`, TIME as `HH:MM:SS[.ffffff]`,
 * TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]`, BOOLEAN as `boolean`, BLOB as `Uint8Array`, JSON-typed
 * (nested) values as their JSON text, everything else as `string`; SQL NULL as `null`.
 */
export type Cell = null | boolean | number | bigint | string | Uint8Array;

/** A batch of rows, each an array of cells in column order. */
export type RowBatch = Cell[][];

/** What a statement that returns rows yields. Breaking out of `batches` early cancels the underlying query. */
export interface RowsResult {
  readonly kind: 'rows';
  readonly columns: readonly ColumnMeta[];
  readonly batches: AsyncIterable<RowBatch>;
}

/** What a statement that returns no rows yields (MySQL's OK packet). */
export interface OkResult {
  readonly kind: 'ok';
  readonly affectedRows?: number;
  readonly lastInsertId?: number;
  readonly info?: string;
  readonly warnings?: number;
}

export type StatementResult = RowsResult | OkResult;

/** Builds a RowsResult from rows already in memory (small, server-generated results such as SHOW output). */
export function rowsResult(columns: readonly ColumnMeta[], rows: Cell[][]): RowsResult {
  return {
    kind: 'rows',
    columns,
    batches: (async function* () {
      if (rows.length > 0) yield rows;
    })(),
  };
}

/** Shorthand for a VARCHAR column definition. */
export function textColumn(name: string): ColumnMeta {
  return { name, type: 'VARCHAR' };
}
