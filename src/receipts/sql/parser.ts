/**
 * Parser of the channel statements:
 *   CREATE NOTIFICATION CHANNEL [IF NOT EXISTS] name TYPE type [WITH (key = 'value' | number | TRUE, …)]
 *   SHOW NOTIFICATION CHANNELS [LIKE 'pattern']
 *   DROP NOTIFICATION CHANNEL [IF EXISTS] name
 *   TEST NOTIFICATION CHANNEL name [WITH (topic = '…', queue = '…')]
 * Keywords are case-insensitive; names plain or `back-quoted`; strings '…' or "…" (doubled quotes and MySQL
 * backslash escapes). Bounded input (hostile-input guard).
 */
import { LakecastError } from '../../shared/index.js';
import type { SettingValue } from '../channels/types.js';
import { ReceiptErrors } from '../errors.js';

export type ChannelStatement =
  | {
      readonly kind: 'create';
      readonly name: string;
      readonly type: string;
      readonly settings: Record<string, SettingValue>;
      readonly ifNotExists: boolean;
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
  /^(?:\s|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*(?!\+)[\s\S]*?\*\/)*(create|show|drop|test)\s+notification\s+channels?\b/i;

/** Whether `sql` is one of the channel statements (cheap check before parsing). */
export function isChannelStatement(sql: string): boolean {
  return HEAD.test(sql.slice(0, 512));
}

function syntax(msg: string): LakecastError {
  return new LakecastError(ReceiptErrors.RECEIPT_SYNTAX, `You have an error in your SQL syntax: ${msg}`);
}

const ESC: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

function lex(sql: string): Tok[] {
  if (sql.length > MAX_LEN) throw syntax('statement too long');
  const out: Tok[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '#' || (c === '-' && sql[i + 1] === '-')) {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const e = sql.indexOf('*/', i + 2);
      if (e < 0) throw syntax('unterminated comment');
      i = e + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$.-]/.test(sql[j]!)) j++;
      out.push({ k: 'id', v: sql.slice(i, j), quoted: false });
      i = j;
    } else if (c === '`') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw syntax('unterminated quoted name');
        if (sql[j] === '`') {
          if (sql[j + 1] === '`') {
            v += '`';
            j += 2;
            continue;
          }
          break;
        }
        v += sql[j++];
      }
      out.push({ k: 'id', v, quoted: true });
      i = j + 1;
    } else if (c === "'" || c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw syntax('unterminated string');
        const d = sql[j]!;
        if (d === '\\' && j + 1 < sql.length) {
          const e = sql[j + 1]!;
          v += ESC[e] ?? e;
          j += 2;
          continue;
        }
        if (d === c) {
          if (sql[j + 1] === c) {
            v += c;
            j += 2;
            continue;
          }
          break;
        }
        v += d;
        j++;
      }
      out.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[0-9.]/.test(sql[j]!)) j++;
      out.push({ k: 'num', v: Number(sql.slice(i, j)) });
      i = j;
    } else if ('(),=;'.includes(c)) {
      out.push({ k: 'p', v: c });
      i++;
    } else throw syntax(`unexpected '${c}'`);
    if (out.length > 2000) throw syntax('statement too complex');
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
    c.word('NOTIFICATION');
    c.word('CHANNEL');
    let ifNotExists = false;
    if (c.opt('IF')) {
      c.word('NOT');
      c.word('EXISTS');
      ifNotExists = true;
    }
    const name = c.name('a channel name');
    c.word('TYPE');
    const type = c.name('a channel type').toLowerCase();
    const settings = withList(c);
    c.end();
    return { kind: 'create', name, type, settings, ifNotExists };
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
  if (!/^\s*(?:\/\*[\s\S]*?\*\/\s*)*create\s+notification\s+channel\b/i.test(sql)) return sql;
  return sql.replace(/'(?:[^'\\]|\\.|'')*'?|"(?:[^"\\]|\\.|"")*"?/g, "'***'");
}
