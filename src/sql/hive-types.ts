import { Cursor } from './cursor.js';
import { isPunct, tokenize } from './tokenizer.js';

/** A parsed Hive column type; `kind` discriminates (immutable, like the other AST nodes). */
export type HiveType =
  | { readonly kind: 'primitive'; readonly name: string; readonly args: readonly number[] }
  | { readonly kind: 'array'; readonly element: HiveType }
  | { readonly kind: 'map'; readonly key: HiveType; readonly value: HiveType }
  | { readonly kind: 'struct'; readonly fields: readonly { name: string; type: HiveType }[] };

/** Hive primitive types → DuckDB types. `INT`/`INTEGER`, `STRING`/`VARCHAR`/`CHAR` are synonyms. */
const PRIMITIVES: Readonly<Record<string, string>> = {
  TINYINT: 'TINYINT',
  SMALLINT: 'SMALLINT',
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  FLOAT: 'FLOAT',
  REAL: 'FLOAT',
  DOUBLE: 'DOUBLE',
  DECIMAL: 'DECIMAL',
  NUMERIC: 'DECIMAL',
  STRING: 'VARCHAR',
  VARCHAR: 'VARCHAR',
  CHAR: 'VARCHAR',
  BOOLEAN: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
  BINARY: 'BLOB',
};

const MAX_DEPTH = 16;

/**
 * State for `>>` closing two nested types at once (`ARRAY<ARRAY<INT>>`): the tokenizer reads `>>` as one
 * operator, so a half-consumed `>>` is remembered here.
 */
interface CloseState {
  pendingClose: boolean;
}

function expectClose(c: Cursor, st: CloseState): void {
  if (st.pendingClose) {
    st.pendingClose = false;
    return;
  }
  if (c.acceptPunct('>')) return;
  if (isPunct(c.peek(), '>>')) {
    c.next();
    st.pendingClose = true;
    return;
  }
  throw c.error("expected '>'");
}

function intArg(c: Cursor, what: string, min: number, max: number): number {
  const t = c.peek();
  const n = t?.kind === 'number' && /^\d{1,6}$/.test(t.value) ? Number(t.value) : Number.NaN;
  if (!(n >= min && n <= max)) throw c.error(`expected ${what} between ${min} and ${max}`);
  c.next();
  return n;
}

function parseAt(c: Cursor, st: CloseState, depth: number): HiveType {
  if (depth > MAX_DEPTH) throw c.error(`column type nested deeper than ${MAX_DEPTH} levels`);
  const t = c.peek();
  const at = c.pos;
  if (t?.kind !== 'word') throw c.error('expected a column type');
  const name = c.next().value.toUpperCase();
  if (name === 'ARRAY') {
    c.expectPunct('<');
    const element = parseAt(c, st, depth + 1);
    expectClose(c, st);
    return { kind: 'array', element };
  }
  if (name === 'MAP') {
    c.expectPunct('<');
    const key = parseAt(c, st, depth + 1);
    if (key.kind !== 'primitive') throw c.error('map keys must be a primitive type', at);
    c.expectPunct(',');
    const value = parseAt(c, st, depth + 1);
    expectClose(c, st);
    return { kind: 'map', key, value };
  }
  if (name === 'STRUCT') {
    c.expectPunct('<');
    const fields: { name: string; type: HiveType }[] = [];
    const seen = new Set<string>();
    do {
      const fieldAt = c.pos;
      const field = c.name('a struct field name');
      if (!/^[\p{L}\p{N}_$]{1,64}$/u.test(field)) throw c.error('invalid struct field name', fieldAt);
      if (seen.has(field.toLowerCase())) throw c.error('duplicate struct field name', fieldAt);
      seen.add(field.toLowerCase());
      c.expectPunct(':');
      fields.push({ name: field, type: parseAt(c, st, depth + 1) });
    } while (!st.pendingClose && c.acceptPunct(','));
    expectClose(c, st);
    return { kind: 'struct', fields };
  }
  if (!(name in PRIMITIVES)) throw c.error(`unknown column type '${t.value.slice(0, 64)}'`, at);
  if (name === 'DOUBLE') c.acceptWords('PRECISION');
  const args: number[] = [];
  if (name === 'DECIMAL' || name === 'NUMERIC') {
    if (c.acceptPunct('(')) {
      const p = intArg(c, 'a DECIMAL precision', 1, 38);
      args.push(p, c.acceptPunct(',') ? intArg(c, 'a DECIMAL scale', 0, p) : 0);
      c.expectPunct(')');
    } else {
      args.push(10, 0); // Hive's default DECIMAL is DECIMAL(10,0)
    }
  } else if (name === 'VARCHAR' || name === 'CHAR') {
    if (c.acceptPunct('(')) {
      args.push(intArg(c, `a ${name} length`, 1, name === 'CHAR' ? 255 : 65_535));
      c.expectPunct(')');
    } else if (name === 'CHAR') {
      args.push(1);
    }
  }
  return {
    kind: 'primitive',
    name: name === 'INTEGER' ? 'INT' : name === 'NUMERIC' ? 'DECIMAL' : name,
    args,
  };
}

/** Parses one Hive type at the cursor; errors (LC_SQL_SYNTAX) point at the offending token. */
export function parseHiveType(c: Cursor): HiveType {
  const st: CloseState = { pendingClose: false };
  const type = parseAt(c, st, 0);
  if (st.pendingClose) throw c.error("unexpected '>'", c.pos - 1);
  return type;
}

/** Canonical text stored in the catalog: upper case, no spaces (`DECIMAL(10,2)`, `MAP<STRING,ARRAY<INT>>`). */
export function formatHiveType(t: HiveType): string {
  switch (t.kind) {
    case 'primitive':
      return t.args.length ? `${t.name}(${t.args.join(',')})` : t.name;
    case 'array':
      return `ARRAY<${formatHiveType(t.element)}>`;
    case 'map':
      return `MAP<${formatHiveType(t.key)},${formatHiveType(t.value)}>`;
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${f.name}:${formatHiveType(f.type)}`).join(',')}>`;
  }
}

/** The DuckDB type for a Hive type (`ARRAY<INT>` → `INTEGER[]`, `STRUCT<a:INT>` → `STRUCT("a" INTEGER)`). */
export function duckDbType(t: HiveType): string {
  switch (t.kind) {
    case 'primitive': {
      const base = PRIMITIVES[t.name];
      return base === 'DECIMAL' ? `DECIMAL(${t.args[0]},${t.args[1]})` : base;
    }
    case 'array':
      return `${duckDbType(t.element)}[]`;
    case 'map':
      return `MAP(${duckDbType(t.key)}, ${duckDbType(t.value)})`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `"${f.name.replaceAll('"', '""')}" ${duckDbType(f.type)}`).join(', ')})`;
  }
}

/** Parses a whole type string (as stored in the catalog). Throws LC_SQL_SYNTAX. */
export function parseHiveTypeText(text: string): HiveType {
  const c = new Cursor(tokenize(text).tokens, text);
  const t = parseHiveType(c);
  c.end();
  return t;
}

/** DuckDB type of a stored Hive type string, e.g. for the engine when registering a table. */
export function hiveToDuckDbType(text: string): string {
  return duckDbType(parseHiveTypeText(text));
}
