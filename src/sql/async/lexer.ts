/**
 * The async-task statements' view of the SQL front's tokenizer: identifiers (plain or `back-quoted`), string
 * literals ('…' or "…", doubled quotes and backslash escapes as MySQL), numbers, operators and punctuation.
 * Comments are skipped. Input and token counts are bounded (hostile-input guard). What the front's tokenizer
 * reads but these statements do not take (`?`, `@var`, `::`, …) is refused here, with LC_QUERY_TASK_SYNTAX.
 */
import { SqlLexError, type Token as SqlToken, tokenize as tokenizeSql } from '../tokenizer.js';
import { syntaxError } from './errors.js';

export type Token =
  | { readonly kind: 'ident'; readonly value: string; readonly quoted: boolean; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly value: string; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number };

export const MAX_STATEMENT_LENGTH = 64 * 1024;
export const MAX_TOKENS = 4096;

const TWO_CHAR_OPS = new Set(['<=', '>=', '<>', '!=']);
const ONE_CHAR_OPS = '=<>(),;-+*';
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function unexpected(c: string, at: number): Error {
  return syntaxError(`unexpected character '${c}' at position ${at + 1}`);
}

function lex(text: string): readonly SqlToken[] {
  try {
    const { tokens, comments } = tokenizeSql(text, { doubleQuotedStrings: true, decodeLikeEscapes: true });
    // MySQL: `--` starts a comment only when followed by white space (`1--1` is arithmetic, not a comment).
    for (const c of comments) {
      if (c.text.startsWith('--') && c.text.length > 2 && !/\s/.test(c.text[2]!))
        throw unexpected('-', c.start);
    }
    return tokens;
  } catch (err) {
    if (err instanceof SqlLexError) {
      throw syntaxError(err.problem === 'unterminated string' ? 'unterminated string literal' : err.problem);
    }
    throw err;
  }
}

export function tokenize(text: string): Token[] {
  if (text.length > MAX_STATEMENT_LENGTH) throw syntaxError('statement too long');
  const tokens = lex(text);
  if (tokens.length > MAX_TOKENS) throw syntaxError('statement too complex');
  const out: Token[] = [];
  for (const t of tokens) {
    const pos = t.start;
    switch (t.kind) {
      case 'word':
        if (!IDENT.test(t.value)) {
          const k = t.value.search(/[^A-Za-z0-9_$]/);
          throw unexpected(t.value[k]!, pos + k);
        }
        out.push({ kind: 'ident', value: t.value, quoted: false, pos });
        break;
      case 'qident':
        out.push({ kind: 'ident', value: t.value, quoted: true, pos });
        break;
      case 'string':
        // E'…' is an identifier E followed by a string here.
        if (t.text[0] !== "'" && t.text[0] !== '"') {
          out.push({ kind: 'ident', value: t.text[0]!, quoted: false, pos });
          out.push({ kind: 'string', value: t.value, pos: pos + 1 });
        } else out.push({ kind: 'string', value: t.value, pos });
        break;
      case 'number':
        if (!NUMBER.test(t.text))
          throw syntaxError(`malformed number '${t.text.slice(0, 64)}' at position ${pos + 1}`);
        out.push({ kind: 'number', value: Number(t.text), text: t.text, pos });
        break;
      case 'punct':
        if (TWO_CHAR_OPS.has(t.text)) {
          out.push({ kind: 'op', value: t.text, pos });
          break;
        }
        for (let k = 0; k < t.text.length; k++) {
          const c = t.text[k]!;
          if (!ONE_CHAR_OPS.includes(c)) throw unexpected(c, pos + k);
          out.push({ kind: 'op', value: c, pos: pos + k });
        }
        break;
      default:
        throw unexpected(t.text[0]!, pos);
    }
  }
  out.push({ kind: 'end', pos: text.length });
  return out;
}
