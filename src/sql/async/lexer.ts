/**
 * A small MySQL-flavoured lexer for the async-task statements: identifiers (plain or `back-quoted`), string
 * literals ('…' or "…", doubled quotes and backslash escapes as MySQL), numbers, operators and punctuation.
 * Comments are skipped. Input and token counts are bounded (hostile-input guard).
 */
import { syntaxError } from './errors.js';

export type Token =
  | { readonly kind: 'ident'; readonly value: string; readonly quoted: boolean; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly value: string; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number };

export const MAX_STATEMENT_LENGTH = 64 * 1024;
export const MAX_TOKENS = 4096;

const ESCAPES: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' };

export function tokenize(text: string): Token[] {
  if (text.length > MAX_STATEMENT_LENGTH) throw syntaxError('statement too long');
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (out.length > MAX_TOKENS) throw syntaxError('statement too complex');
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && text[i + 1] === '-' && (i + 2 >= n || /\s/.test(text[i + 2]!))) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw syntaxError('unterminated comment');
      i = end + 2;
      continue;
    }
    const pos = i;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(text[j]!)) j++;
      out.push({ kind: 'ident', value: text.slice(i, j), quoted: false, pos });
      i = j;
      continue;
    }
    if (c === '`') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) throw syntaxError('unterminated quoted identifier');
        if (text[j] === '`') {
          if (text[j + 1] === '`') {
            v += '`';
            j += 2;
            continue;
          }
          break;
        }
        v += text[j++];
      }
      out.push({ kind: 'ident', value: v, quoted: true, pos });
      i = j + 1;
      continue;
    }
    if (c === "'" || c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) throw syntaxError('unterminated string literal');
        const d = text[j]!;
        if (d === '\\' && j + 1 < n) {
          const e = text[j + 1]!;
          v += ESCAPES[e] ?? e;
          j += 2;
          continue;
        }
        if (d === c) {
          if (text[j + 1] === c) {
            v += c;
            j += 2;
            continue;
          }
          break;
        }
        v += d;
        j++;
      }
      out.push({ kind: 'string', value: v, pos });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i, i + 64))!;
      out.push({ kind: 'number', value: Number(m[0]), text: m[0], pos });
      i += m[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '<>' || two === '!=') {
      out.push({ kind: 'op', value: two, pos });
      i += 2;
      continue;
    }
    if ('=<>(),;-+*'.includes(c)) {
      out.push({ kind: 'op', value: c, pos });
      i++;
      continue;
    }
    throw syntaxError(`unexpected character '${c}' at position ${i + 1}`);
  }
  out.push({ kind: 'end', pos: n });
  return out;
}
