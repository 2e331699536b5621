import { sqlLiteral } from './params.js';
import { isKeyword, isPunct, type Token } from './tokenizer.js';
import { isNumericValue } from './variables.js';

/** What the rewrite needs to turn session functions and variables into literals. */
export interface RewriteValues {
  /** `@@var` lookup (null → NULL). */
  systemVariable(name: string): string | null;
  /** `@var` lookup (null → NULL). */
  userVariable(name: string): string | null;
  database: string | null;
  user: string;
  connectionId: number;
  serverVersion: string;
}

/** MySQL functions answered from the session rather than the engine, with the literal they become. */
function sessionFunction(name: string, v: RewriteValues): string | undefined {
  switch (name) {
    case 'DATABASE':
    case 'SCHEMA':
      return v.database === null ? 'NULL' : sqlLiteral(v.database);
    case 'USER':
    case 'SESSION_USER':
    case 'SYSTEM_USER':
      return sqlLiteral(`${v.user}@%`);
    case 'CURRENT_USER':
      return sqlLiteral(`${v.user}@%`);
    case 'CONNECTION_ID':
      return String(v.connectionId);
    case 'VERSION':
      return sqlLiteral(v.serverVersion);
    case 'LAST_INSERT_ID':
    case 'FOUND_ROWS':
    case 'ROW_COUNT':
      return '0';
    default:
      return undefined;
  }
}

function valueLiteral(value: string | null): string {
  if (value === null) return 'NULL';
  return isNumericValue(value) ? value : sqlLiteral(value);
}

/** Keywords that end a top-level SELECT list. */
const LIST_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'INTO',
  'WINDOW',
  'QUALIFY',
  'OFFSET',
]);

function quoteIdent(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Rewrites a user query into DuckDB's dialect and the session's values, token by token (text between tokens,
 * comments included, is kept):
 * - `` `name` `` → `"name"`;
 * - `LIMIT offset, count` → `LIMIT count OFFSET offset`;
 * - `@@[scope.]var`, `@var`, `DATABASE()`, `SCHEMA()`, `USER()`, `CURRENT_USER[()]`, `CONNECTION_ID()`,
 *   `VERSION()`, `LAST_INSERT_ID()` → literals; a whole top-level select item gets the original text as its
 *   column name (`SELECT @@version_comment` → `SELECT '…' AS "@@version_comment"`), as MySQL names it.
 */
export function rewriteQuery(sql: string, tokens: readonly Token[], v: RewriteValues): string {
  let out = '';
  let last = 0;
  let depth = 0;
  let inList = false;
  // Copies source up to `pos` token by token; the gaps between tokens are whitespace and comments, where
  // MySQL's `#` comments become DuckDB's `--`.
  let next = 0;
  const gap = (from: number, to: number) => {
    const t = sql.slice(from, to);
    return t.includes('#') ? t.replaceAll('#', '--') : t;
  };
  const copyTo = (pos: number) => {
    while (next < tokens.length && tokens[next].end <= pos) {
      const t = tokens[next++];
      if (t.start < last) continue;
      out += gap(last, t.start) + t.text;
      last = t.end;
    }
    if (pos > last) out += gap(last, pos);
    last = Math.max(last, pos);
  };
  const emit = (from: number, to: number, text: string) => {
    copyTo(from);
    out += text;
    last = to;
  };
  // `LIMIT ?, ?` swaps its operands: number every placeholder (`$n`) so parameters keep their order.
  const ordinals = new Map<Token, number>();
  for (const t of tokens) if (t.kind === 'param') ordinals.set(t, ordinals.size + 1);
  const numbered = tokens.some(
    (t, i) =>
      isKeyword(t, 'LIMIT') &&
      isPunct(tokens[i + 2], ',') &&
      [tokens[i + 1], tokens[i + 3]].some((x) => x?.kind === 'param'),
  );
  const render = (t: Token) => (numbered && t.kind === 'param' ? `$${ordinals.get(t)}` : t.text);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (numbered && t.kind === 'param') {
      emit(t.start, t.end, render(t));
      continue;
    }
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth === 0 && t.kind === 'word') {
      const u = t.value.toUpperCase();
      if (u === 'SELECT') inList = true;
      else if (LIST_END.has(u)) inList = false;
    }
    if (t.kind === 'string' && t.text.includes('\\') && !/^[eE]/.test(t.text)) {
      // MySQL backslash escapes were decoded by the tokenizer; DuckDB takes backslashes literally.
      emit(t.start, t.end, sqlLiteral(t.value));
      continue;
    }
    if (t.kind === 'qident' && t.quote === '`') {
      emit(t.start, t.end, quoteIdent(t.value));
      continue;
    }
    if (
      isKeyword(t, 'LIMIT') &&
      isCount(tokens[i + 1]) &&
      isPunct(tokens[i + 2], ',') &&
      isCount(tokens[i + 3])
    ) {
      emit(t.start, tokens[i + 3].end, `LIMIT ${render(tokens[i + 3])} OFFSET ${render(tokens[i + 1])}`);
      i += 3;
      continue;
    }
    if (
      inList &&
      depth === 0 &&
      isKeyword(t, 'COUNT') &&
      isPunct(tokens[i + 1], '(') &&
      isPunct(tokens[i + 2], '*') &&
      isPunct(tokens[i + 3], ')') &&
      isWholeItem(tokens, i, i + 3)
    ) {
      // DuckDB names it count_star(); MySQL clients (and DLA's result files) expect `count(*)`.
      const original = sql.slice(t.start, tokens[i + 3].end);
      emit(t.start, tokens[i + 3].end, `${original} AS ${quoteIdent(original)}`);
      i += 3;
      continue;
    }
    let literal: string | undefined;
    let end = i;
    if (t.kind === 'var') {
      literal = t.text.startsWith('@@')
        ? valueLiteral(v.systemVariable(t.value))
        : valueLiteral(v.userVariable(t.value.toLowerCase()));
    } else if (t.kind === 'word' && !isPunct(tokens[i - 1], '.')) {
      const u = t.value.toUpperCase();
      if (isPunct(tokens[i + 1], '(') && isPunct(tokens[i + 2], ')')) {
        literal = sessionFunction(u, v);
        if (literal !== undefined) end = i + 2;
      } else if (u === 'CURRENT_USER' && !isPunct(tokens[i + 1], '(')) {
        literal = sessionFunction(u, v);
      }
    }
    if (literal === undefined) continue;
    const wholeItem = inList && depth === 0 && isWholeItem(tokens, i, end);
    const original = sql.slice(t.start, tokens[end].end);
    emit(t.start, tokens[end].end, wholeItem ? `${literal} AS ${quoteIdent(original)}` : literal);
    i = end;
  }
  // Ends at the last token: trailing `;` and comments are dropped so callers can wrap the query.
  copyTo(tokens.length > 0 ? tokens[tokens.length - 1].end : 0);
  return out;
}

/** True when tokens[from..to] form a whole, unaliased item of a SELECT list. */
function isWholeItem(tokens: readonly Token[], from: number, to: number): boolean {
  const prev = tokens[from - 1];
  const next = tokens[to + 1];
  const afterStart = isPunct(prev, ',') || isKeyword(prev, 'SELECT') || isKeyword(prev, 'DISTINCT');
  const beforeEnd =
    next === undefined ||
    isPunct(next, ',') ||
    isPunct(next, ';') ||
    (next.kind === 'word' && LIST_END.has(next.value.toUpperCase()));
  return afterStart && beforeEnd;
}

function isCount(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'param' || (t.kind === 'number' && /^\d+$/.test(t.value)));
}
