/**
 * Parser of the channel statements:
 *   CREATE [OR REPLACE] NOTIFICATION CHANNEL [IF NOT EXISTS] name TYPE type [WITH (key = 'value' | number | TRUE, …)]
 *   SHOW NOTIFICATION CHANNELS [LIKE 'pattern']
 *   DROP NOTIFICATION CHANNEL [IF EXISTS] name
 *   TEST NOTIFICATION CHANNEL name [WITH (topic = '…', queue = '…')]
 * Keywords are case-insensitive; names plain or `back-quoted`; strings '…' or "…" (doubled quotes and MySQL
 * backslash escapes). Lexed by the SQL front's tokenizer. Bounded input (hostile-input guard).
 */
import { LakecastError } from '../../shared/index.js';
import { SqlLexError, type Tokenized, tokenize as tokenizeSql } from '../../sql/index.js';
import type { SettingValue } from '../channels/types.js';
import { ReceiptErrors } from '../errors.js';

export type ChannelStatement =
  | {
      readonly kind: 'create';
      readonly name: string;
      readonly type: string;
      readonly settings: Record<string, SettingValue>;
      readonly ifNotExists: boolean;
      /** `CREATE OR REPLACE`: an existing channel of that name is replaced in one write (no moment without it). */
      readonly orReplace: boolean;
    }
  | { readonly kind: 'show'; readonly like?: string }
  | { readonly kind: 'drop'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'test'; readonly name: string; readonly settings: Record<string, SettingValue> };

type Tok =
  | { k: 'id'; v: string; quoted: boolean }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'p'; v: string }
  | { k: 'end' };

const MAX_LEN = 16 * 1024;
const HEAD =
  /^(?:\s|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*(?!\+)[\s\S]*?\*\/)*(create(?:\s+or\s+replace)?|show|drop|test)\s+notification\s+channels?\b/i;

/** Whether `sql` is one of the channel statements (cheap check before parsing). */
export function isChannelStatement(sql: string): boolean {
  return HEAD.test(sql.slice(0, 512));
}

function syntax(msg: string): LakecastError {
  return new LakecastError(ReceiptErrors.RECEIPT_SYNTAX, `You have an error in your SQL syntax: ${msg}`);
}

const ID = /^[A-Za-z_][A-Za-z0-9_$.-]*$/;

function unexpected(c: string): LakecastError {
  return syntax(`unexpected '${c}'`);
}

function tokenize(sql: string): Tokenized {
  try {
    return tokenizeSql(sql, { doubleQuotedStrings: true, decodeLikeEscapes: true });
  } catch (err) {
    if (!(err instanceof SqlLexError)) throw err;
    // Re-worded without the statement's text: an unterminated string may be a secret.
    throw syntax(err.problem === 'unterminated quoted identifier' ? 'unterminated quoted name' : err.problem);
  }
}

/** The SQL front's tokens as this parser's: names may hold `.` and `-` (`ops-1`, `a.b`, `a--b`), fewer punctuation. */
function lex(sql: string): Tok[] {
  if (sql.length > MAX_LEN) throw syntax('statement too long');
  const out: Tok[] = [];
  // A name runs on through `--` (`a--b`); the SQL front reads a comment there, so the rest is read again.
  for (let rest: string | undefined = sql; rest !== undefined; ) {
    const text: string = rest;
    const { tokens, comments } = tokenize(text);
    const dashComments = new Set(comments.filter((c) => c.text.startsWith('--')).map((c) => c.start));
    rest = undefined;
    for (let i = 0; i < tokens.length && rest === undefined; i++) {
      const t = tokens[i]!;
      if (t.kind === 'word') {
        let end = t.end;
        for (let n = tokens[i + 1]; n !== undefined && n.start === end; n = tokens[i + 1]) {
          if (
            n.kind !== 'word' &&
            n.kind !== 'number' &&
            !(n.kind === 'punct' && (n.text === '.' || n.text === '-'))
          )
            break;
          end = n.end;
          i++;
        }
        if (dashComments.has(end)) {
          end += /^[A-Za-z0-9_$.-]*/.exec(text.slice(end))![0].length;
          rest = text.slice(end);
        }
        const v = text.slice(t.start, end);
        if (!ID.test(v)) throw unexpected(v[v.search(/[^A-Za-z0-9_$.-]/)]!);
        out.push({ k: 'id', v, quoted: false });
      } else if (t.kind === 'qident') {
        out.push({ k: 'id', v: t.value, quoted: true });
      } else if (t.kind === 'string') {
        // E'…' is a name E followed by a string here.
        if (t.text[0] !== "'" && t.text[0] !== '"') out.push({ k: 'id', v: t.text[0]!, quoted: false });
        out.push({ k: 'str', v: t.value });
      } else if (t.kind === 'number') {
        const bad = t.text.search(/[^0-9.]/);
        if (bad >= 0 || t.text[0] === '.') throw unexpected(t.text[Math.max(bad, 0)]!);
        out.push({ k: 'num', v: Number(t.text) });
      } else if (t.kind === 'punct') {
        for (const c of t.text) {
          if (!'(),=;'.includes(c)) throw unexpected(c);
          out.push({ k: 'p', v: c });
        }
      } else throw unexpected(t.text[0]!);
      if (out.length > 2000) throw syntax('statement too complex');
    }
  }
  while (out.length > 0 && out[out.length - 1]!.k === 'p' && (out[out.length - 1] as { v: string }).v === ';')
    out.pop();
  out.push({ k: 'end' });
  return out;
}

class Cursor {
  i = 0;
  constructor(private readonly t: Tok[]) {}
  peek(): Tok {
    return this.t[this.i]!;
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return t.k === 'id' && !t.quoted && t.v.toUpperCase() === w;
  }
  word(w: string): void {
    if (!this.isWord(w)) throw syntax(`expected ${w} ${near(this.peek())}`);
    this.i++;
  }
  opt(w: string): boolean {
    if (this.isWord(w)) {
      this.i++;
      return true;
    }
    return false;
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t.k === 'p' && t.v === p) {
      this.i++;
      return true;
    }
    return false;
  }
  name(what: string): string {
    const t = this.peek();
    if (t.k !== 'id') throw syntax(`expected ${what} ${near(t)}`);
    this.i++;
    return t.v;
  }
  end(): void {
    if (this.peek().k !== 'end') throw syntax(`unexpected ${near(this.peek())}`);
  }
}

function near(t: Tok): string {
  if (t.k === 'end') return 'at the end';
  if (t.k === 'str') return 'near a string';
  return `near '${String(t.v).slice(0, 30)}'`;
}

function withList(c: Cursor): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  if (!c.opt('WITH')) return out;
  if (!c.punct('(')) throw syntax(`expected ( after WITH ${near(c.peek())}`);
  if (c.punct(')')) return out;
  for (;;) {
    const key = c.name('a setting name').toLowerCase();
    if (Object.hasOwn(out, key)) throw syntax(`setting ${key} is given twice`);
    if (!c.punct('=')) throw syntax(`expected = after ${key}`);
    const t = c.peek();
    if (t.k === 'str' || t.k === 'num') out[key] = t.v;
    else if (t.k === 'id' && !t.quoted && /^(true|false)$/i.test(t.v))
      out[key] = t.v.toLowerCase() === 'true';
    else throw syntax(`expected a value for ${key}`);
    c.i++;
    if (c.punct(')')) break;
    if (!c.punct(',')) throw syntax(`expected , or ) ${near(c.peek())}`);
  }
  return out;
}

/** Parses one channel statement (see the module comment). */
export function parseChannelStatement(sql: string): ChannelStatement {
  const c = new Cursor(lex(sql));
  if (c.opt('SHOW')) {
    c.word('NOTIFICATION');
    c.word('CHANNELS');
    let like: string | undefined;
    if (c.opt('LIKE')) {
      const t = c.peek();
      if (t.k !== 'str') throw syntax('expected a string after LIKE');
      like = t.v;
      c.i++;
    }
    c.end();
    return { kind: 'show', like };
  }
  if (c.opt('CREATE')) {
    let orReplace = false;
    if (c.opt('OR')) {
      c.word('REPLACE');
      orReplace = true;
    }
    c.word('NOTIFICATION');
    c.word('CHANNEL');
    let ifNotExists = false;
    if (c.opt('IF')) {
      c.word('NOT');
      c.word('EXISTS');
      ifNotExists = true;
    }
    if (orReplace && ifNotExists) throw syntax('OR REPLACE and IF NOT EXISTS cannot be used together');
    const name = c.name('a channel name');
    c.word('TYPE');
    const type = c.name('a channel type').toLowerCase();
    const settings = withList(c);
    c.end();
    return { kind: 'create', name, type, settings, ifNotExists, orReplace };
  }
  if (c.opt('DROP')) {
    c.word('NOTIFICATION');
    c.word('CHANNEL');
    let ifExists = false;
    if (c.opt('IF')) {
      c.word('EXISTS');
      ifExists = true;
    }
    const name = c.name('a channel name');
    c.end();
    return { kind: 'drop', name, ifExists };
  }
  c.word('TEST');
  c.word('NOTIFICATION');
  c.word('CHANNEL');
  const name = c.name('a channel name');
  const settings = withList(c);
  c.end();
  return { kind: 'test', name, settings };
}

/**
 * `sql` with every string literal of a CREATE NOTIFICATION CHANNEL statement replaced by `'***'` (they may be
 * passwords, tokens, signing keys): for logs, SHOW PROCESSLIST and query events. Other statements unchanged.
 */
export function maskChannelStatement(sql: string): string {
  if (!/^\s*(?:\/\*[\s\S]*?\*\/\s*)*create\s+(?:or\s+replace\s+)?notification\s+channel\b/i.test(sql))
    return sql;
  return sql.replace(/'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?/g, "'***'");
}
