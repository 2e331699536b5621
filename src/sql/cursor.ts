import type { LakecastError } from '../shared/index.js';
import { SqlErrors, sqlError } from './errors.js';
import { clip, isKeyword, isPunct, lineOf, type Token } from './tokenizer.js';

/**
 * A read position over a statement's tokens with the small vocabulary every statement parser uses.
 * Errors are LC_SQL_SYNTAX pointing at the offending token; string tokens flagged as secret are shown as '***'.
 */
export class Cursor {
  pos = 0;
  /** Token indexes whose text must never appear in an error (passwords). */
  readonly secret = new Set<number>();

  constructor(
    readonly tokens: readonly Token[],
    readonly sql: string,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.pos];
    if (!t) throw this.error('unexpected end of statement');
    this.pos++;
    return t;
  }

  /** True (without consuming) when the next tokens are these keywords. */
  isWords(...kws: string[]): boolean {
    return kws.every((kw, i) => isKeyword(this.tokens[this.pos + i], kw));
  }

  /** Consumes the keywords when they all follow; else consumes nothing. */
  acceptWords(...kws: string[]): boolean {
    if (!this.isWords(...kws)) return false;
    this.pos += kws.length;
    return true;
  }

  /** Consumes one of the keywords and returns it upper-cased, or null. */
  acceptOneOf(...kws: string[]): string | null {
    const t = this.peek();
    for (const kw of kws) if (isKeyword(t, kw)) return this.next().value.toUpperCase();
    return null;
  }

  expectWords(...kws: string[]): void {
    for (const kw of kws) {
      if (!isKeyword(this.peek(), kw)) throw this.error(`expected ${kw}`);
      this.pos++;
    }
  }

  acceptPunct(p: string): boolean {
    if (!isPunct(this.peek(), p)) return false;
    this.pos++;
    return true;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error(`expected '${p}'`);
  }

  /** An identifier: a bare word or a quoted identifier. Returns the decoded name. */
  name(what = 'a name'): string {
    const t = this.peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'qident')) throw this.error(`expected ${what}`);
    this.pos++;
    return t.value;
  }

  /** A name that may also be written as a string ('u' in CREATE USER, LIKE patterns). */
  nameOrString(what = 'a name'): string {
    const t = this.peek();
    if (t?.kind === 'string') {
      this.pos++;
      return t.value;
    }
    return this.name(what);
  }

  /** `a` or `a.b`; returns [qualifier|null, name]. */
  qualifiedName(what = 'a table name'): [string | null, string] {
    const first = this.name(what);
    if (this.acceptPunct('.')) return [first, this.name(what)];
    return [null, first];
  }

  string(what = 'a quoted string'): string {
    const t = this.peek();
    if (t?.kind !== 'string') throw this.error(`expected ${what}`);
    this.pos++;
    return t.value;
  }

  /** A string's source text between the quotes, escapes not decoded (Hive delimiters such as `'\001'`). */
  rawString(what = 'a quoted string'): string {
    const t = this.peek();
    if (t?.kind !== 'string' || !t.text.startsWith("'")) throw this.error(`expected ${what}`);
    this.pos++;
    return t.text.slice(1, -1).replaceAll("''", "'");
  }

  /** Fails unless every token was consumed. */
  end(): void {
    if (!this.atEnd()) throw this.error('unexpected extra input');
  }

  /** Source text from token `at`, about 40 characters, one line, secrets masked. */
  private nearText(at: number): string {
    let out = '';
    for (let i = at; i < this.tokens.length && out.length < 40; i++) {
      const t = this.tokens[i];
      if (i > at) out += this.sql.slice(this.tokens[i - 1].end, t.start).replace(/\s+/g, ' ');
      out += this.secret.has(i) ? "'***'" : t.text;
    }
    return clip(out.split('\n')[0], 40);
  }

  /** LC_SQL_SYNTAX at the current token. */
  error(what: string, at = this.pos): LakecastError {
    const t = this.tokens[at];
    if (!t)
      return sqlError(SqlErrors.SQL_SYNTAX, `You have an error in your SQL syntax: ${what} at end of input`);
    const near = this.nearText(at);
    return sqlError(
      SqlErrors.SQL_SYNTAX,
      `You have an error in your SQL syntax: ${what} near '${near}' at line ${lineOf(this.sql, t.start)}`,
    );
  }
}
