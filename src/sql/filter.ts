import type { Cell } from '../shared/index.js';
import type { Cursor } from './cursor.js';
import { likeMatch } from './like.js';

/** A row predicate for `SHOW … WHERE …` over server-generated rows (columns matched case-insensitively). */
export type RowFilter = (row: ReadonlyMap<string, Cell>) => boolean;

/**
 * Parses the small WHERE language of SHOW statements: `col = 'v'`, `col <> 'v'`, `col [NOT] LIKE 'p'`,
 * `col [NOT] IN ('a', 'b')`, combined with AND / OR / NOT and parentheses. Consumes to the end of the cursor.
 */
export function parseShowWhere(c: Cursor): RowFilter {
  const f = parseOr(c);
  c.end();
  return f;
}

function parseOr(c: Cursor): RowFilter {
  let left = parseAnd(c);
  while (c.acceptWords('OR')) {
    const l = left;
    const r = parseAnd(c);
    left = (row) => l(row) || r(row);
  }
  return left;
}

function parseAnd(c: Cursor): RowFilter {
  let left = parseNot(c);
  while (c.acceptWords('AND')) {
    const l = left;
    const r = parseNot(c);
    left = (row) => l(row) && r(row);
  }
  return left;
}

function parseNot(c: Cursor): RowFilter {
  if (c.acceptWords('NOT')) {
    const inner = parseNot(c);
    return (row) => !inner(row);
  }
  if (c.acceptPunct('(')) {
    const inner = parseOr(c);
    c.expectPunct(')');
    return inner;
  }
  return parseComparison(c);
}

function value(c: Cursor): string {
  const t = c.peek();
  if (t && (t.kind === 'string' || t.kind === 'number')) return c.next().value;
  if (t?.kind === 'qident' && t.quote === '"') return c.next().value; // MySQL reads "…" as a string here
  throw c.error('expected a quoted value');
}

function text(row: ReadonlyMap<string, Cell>, col: string): string {
  const v = row.get(col);
  return v === null || v === undefined ? '' : String(v);
}

function parseComparison(c: Cursor): RowFilter {
  const col = c.name('a column name').toLowerCase();
  const negate = c.acceptWords('NOT');
  let f: RowFilter;
  if (c.acceptWords('LIKE')) {
    const p = value(c);
    f = (row) => likeMatch(text(row, col), p);
  } else if (c.acceptWords('IN')) {
    c.expectPunct('(');
    const set = new Set<string>();
    do set.add(value(c).toLowerCase());
    while (c.acceptPunct(','));
    c.expectPunct(')');
    f = (row) => set.has(text(row, col).toLowerCase());
  } else if (!negate && (c.acceptPunct('=') || c.acceptPunct('<>') || c.acceptPunct('!='))) {
    const op = c.tokens[c.pos - 1].text;
    const v = value(c).toLowerCase();
    f =
      op === '=' ? (row) => text(row, col).toLowerCase() === v : (row) => text(row, col).toLowerCase() !== v;
  } else {
    throw c.error('expected =, <>, LIKE or IN');
  }
  return negate ? (row) => !f(row) : f;
}

/** Applies an optional `LIKE 'p'` (on the first column) or `WHERE …` tail to server-generated rows. */
export function filterRows(c: Cursor, columns: readonly string[], rows: Cell[][], likeColumn = 0): Cell[][] {
  if (c.atEnd()) return rows;
  if (c.acceptWords('LIKE')) {
    const p = value(c);
    c.end();
    return rows.filter((r) => likeMatch(String(r[likeColumn] ?? ''), p));
  }
  if (c.acceptWords('WHERE')) {
    const pred = parseShowWhere(c);
    const keys = columns.map((k) => k.toLowerCase());
    return rows.filter((r) => pred(new Map(keys.map((k, i) => [k, r[i]]))));
  }
  throw c.error('expected LIKE or WHERE');
}
