import { LakecastError } from '../shared/index.js';
import { SqlErrors } from './errors.js';

/**
 * Token kinds: `word` (keyword or bare identifier), `qident` ("…" or `…` identifier), `string` ('…' or E'…'),
 * `number`, `param` (`?`), `var` (`@name` / `@@[scope.]name`), `punct` (operators and punctuation).
 */
export type TokenKind = 'word' | 'qident' | 'string' | 'number' | 'param' | 'var' | 'punct';

/** One token. `text` is the raw source slice; `value` is decoded (unquoted, unescaped, without `@`). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** For `qident`: the quote character used. */
  readonly quote?: '"' | '`';
}

/** A comment, kept for hint parsing (`/*+ … *\/`). */
export interface Comment {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface Tokenized {
  readonly sql: string;
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
}

const TWO_CHAR_OPS = new Set([':=', '::', '<=', '>=', '<>', '!=', '||', '->', '=>', '<<', '>>']);

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Shortens user text for error messages (names may be megabytes long). */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Line number (1-based) of an offset, for error messages. */
export function lineOf(sql: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < sql.length; i++) if (sql.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The LC_SQL_SYNTAX error {@link tokenize} throws. `problem` (`unterminated string`, `unterminated quoted
 * identifier`, `unterminated comment`, `NUL byte in statement`) and `at` let another statement parser word
 * its own error without echoing the statement's text.
 */
export class SqlLexError extends LakecastError {
  constructor(
    readonly problem: string,
    readonly at: number,
    message: string,
  ) {
    super(SqlErrors.SQL_SYNTAX, message);
  }
}

function syntax(sql: string, at: number, what: string) {
  return new SqlLexError(
    what,
    at,
    `You have an error in your SQL syntax: ${what} near '${clip(sql.slice(at), 40)}' at line ${lineOf(sql, at)}`,
  );
}

/** Options of {@link tokenize}; the defaults are the SQL front's dialect. */
export interface TokenizeOptions {
  /** MySQL's default sql_mode: `"…"` is a string (with backslash escapes), not an identifier. */
  readonly doubleQuotedStrings?: boolean;
  /** Decode `\%` and `\_` to `%` and `_` instead of keeping the backslash (for LIKE). */
  readonly decodeLikeEscapes?: boolean;
}

/**
 * Reads a quoted run starting at `i` (the opening quote); a doubled quote escapes it, and with `backslash` so
 * do MySQL's backslash escapes (a string; without, a quoted identifier). Returns [value, end].
 */
function readQuoted(
  sql: string,
  i: number,
  q: string,
  backslash: boolean,
  decodeLike = false,
): [string, number] {
  let out = '';
  let j = i + 1;
  for (;;) {
    const k = backslash ? findEither(sql, j, q, '\\') : sql.indexOf(q, j);
    if (k < 0) throw syntax(sql, i, `unterminated ${backslash ? 'string' : 'quoted identifier'}`);
    out += sql.slice(j, k);
    if (sql[k] === '\\') {
      if (k + 1 >= sql.length) throw syntax(sql, i, 'unterminated string');
      out += unescapeChar(sql[k + 1], decodeLike);
      j = k + 2;
    } else if (sql[k + 1] === q) {
      out += q;
      j = k + 2;
    } else {
      return [out, k + 1];
    }
  }
}

function findEither(sql: string, from: number, a: string, b: string): number {
  const x = sql.indexOf(a, from);
  const y = sql.indexOf(b, from);
  if (x < 0) return y;
  if (y < 0) return x;
  return Math.min(x, y);
}

/** MySQL's string escapes (https://dev.mysql.com/doc/refman/8.0/en/string-literals.html). */
function unescapeChar(c: string, decodeLike: boolean): string {
  switch (c) {
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'Z':
      return '\x1a';
    case '%':
    case '_':
      return decodeLike ? c : `\\${c}`; // kept with the backslash, for LIKE
    default:
      return c;
  }
}

/** Skips a block comment starting at `i`; nested like DuckDB's (PostgreSQL) lexer. Returns the end offset. */
function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  throw syntax(sql, i, 'unterminated comment');
}

/**
 * Splits SQL into tokens: `'…'` strings with MySQL's escapes (`''` and backslash escapes, as MySQL client
 * libraries escape values; the query rewrite re-emits them as DuckDB literals), `E'…'` strings, `"…"` and
 * `` `…` `` identifiers, `--` line comments, nested block comments (as DuckDB's lexer). Throws LC_SQL_SYNTAX on
 * unterminated quotes/comments and on NUL bytes ({@link SqlLexError}). See {@link TokenizeOptions} for the
 * variants other statement parsers use.
 */
export function tokenize(sql: string, options: TokenizeOptions = {}): Tokenized {
  const dq = options.doubleQuotedStrings === true;
  const like = options.decodeLikeEscapes === true;
  const nul = sql.indexOf('\0');
  if (nul >= 0) throw syntax(sql, nul, 'NUL byte in statement');
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const push = (kind: TokenKind, start: number, end: number, value: string, quote?: '"' | '`') =>
    tokens.push({ kind, text: sql.slice(start, end), value, start, end, ...(quote ? { quote } : {}) });
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const ch = sql[i];
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      i++;
    } else if ((ch === '-' && sql[i + 1] === '-') || ch === '#') {
      // `#` starts a comment in MySQL (the CLI sends them with -c); the query rewrite turns it into `--`.
      const e = sql.indexOf('\n', i);
      const end = e < 0 ? n : e;
      comments.push({ text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = skipBlockComment(sql, i);
      comments.push({ text: sql.slice(i, end), start: i, end });
      i = end;
    } else if (ch === "'") {
      // MySQL semantics (backslash escapes): what MySQL client libraries produce when they escape values.
      const [v, e] = readQuoted(sql, i, "'", true, like);
      push('string', i, e, v);
      i = e;
    } else if ((ch === 'E' || ch === 'e') && sql[i + 1] === "'") {
      const [v, e] = readQuoted(sql, i + 1, "'", true, like);
      push('string', i, e, v);
      i = e;
    } else if (ch === '"' && dq) {
      const [v, e] = readQuoted(sql, i, '"', true, like);
      push('string', i, e, v);
      i = e;
    } else if (ch === '"' || ch === '`') {
      const [v, e] = readQuoted(sql, i, ch, false);
      push('qident', i, e, v, ch);
      i = e;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      push('word', i, j, sql.slice(i, j));
      i = j;
    } else if (isDigit(c) || (ch === '.' && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && (isDigit(sql.charCodeAt(j)) || sql[j] === '.' || sql[j] === '_')) j++;
      if ((sql[j] === 'e' || sql[j] === 'E') && /[+\-0-9]/.test(sql[j + 1] ?? '')) {
        j += 2;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
      }
      push('number', i, j, sql.slice(i, j));
      i = j;
    } else if (ch === '@' && (sql[i + 1] === '@' || isWordStart(sql.charCodeAt(i + 1)))) {
      let j = i + (sql[i + 1] === '@' ? 2 : 1);
      while (
        j < n &&
        (isWordPart(sql.charCodeAt(j)) || (sql[j] === '.' && isWordStart(sql.charCodeAt(j + 1))))
      )
        j++;
      push('var', i, j, sql.slice(i, j).replace(/^@@?/, ''));
      i = j;
    } else if (ch === '?') {
      push('param', i, i + 1, '?');
      i++;
    } else {
      const two = sql.slice(i, i + 2);
      const len = TWO_CHAR_OPS.has(two) ? 2 : 1;
      push('punct', i, i + len, sql.slice(i, i + len));
      i += len;
    }
  }
  return { sql, tokens, comments };
}

/** Tokens without trailing `;` separators. */
export function withoutTrailingSemicolons(tokens: readonly Token[]): readonly Token[] {
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].kind === 'punct' && tokens[end - 1].text === ';') end--;
  return end === tokens.length ? tokens : tokens.slice(0, end);
}

/** True when the token is the given keyword (case-insensitive, bare words only). */
export function isKeyword(t: Token | undefined, kw: string): boolean {
  return t !== undefined && t.kind === 'word' && t.value.toUpperCase() === kw;
}

/** True when the token is the given punctuation. */
export function isPunct(t: Token | undefined, p: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === p;
}
