/**
 * Parsers of the async-task statements:
 *   SHOW [FULL] QUERY_TASK [FOR 'user'] [WHERE <condition>] [ORDER BY col [ASC|DESC], …] [LIMIT n [OFFSET m] | LIMIT m, n]
 *   KILL [QUERY] 'task-id' | "task-id"
 * The WHERE condition becomes an immutable AST (nodes with a `kind`), compiled by where.ts to bound Kysely
 * expressions. Only literals and column names are accepted: no functions, no sub-queries.
 */
import { syntaxError } from './errors.js';
import { type Token, tokenize } from './lexer.js';

export type Literal = string | number | null | boolean;

export type Operand =
  | { readonly kind: 'column'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: Literal };

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { readonly kind: 'and'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | {
      readonly kind: 'in';
      readonly operand: Operand;
      readonly values: readonly Literal[];
      readonly negated: boolean;
    }
  | { readonly kind: 'like'; readonly operand: Operand; readonly pattern: string; readonly negated: boolean }
  | { readonly kind: 'isNull'; readonly operand: Operand; readonly negated: boolean }
  | {
      readonly kind: 'between';
      readonly operand: Operand;
      readonly low: Literal;
      readonly high: Literal;
      readonly negated: boolean;
    };

export interface ShowQueryTaskStatement {
  readonly kind: 'showQueryTask';
  readonly full: boolean;
  readonly forUser: string | null;
  readonly where: Condition | null;
  readonly orderBy: readonly { readonly column: string; readonly direction: 'asc' | 'desc' }[];
  readonly limit: number | null;
  readonly offset: number;
}

export interface KillTaskStatement {
  readonly kind: 'killTask';
  readonly taskId: string;
}

/** Deepest nesting of parentheses / NOT accepted in a condition. */
export const MAX_CONDITION_DEPTH = 64;
export const MAX_LIMIT = 1_000_000;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }
  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === word;
  }
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }
  expectWord(word: string): void {
    if (!this.acceptWord(word)) throw this.error(`expected ${word}`);
  }
  isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === op;
  }
  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }
  expectOp(op: string): void {
    if (!this.acceptOp(op)) throw this.error(`expected '${op}'`);
  }
  error(what: string): Error {
    const t = this.peek();
    const near = t.kind === 'end' ? 'at the end' : `near position ${t.pos + 1}`;
    return syntaxError(`SHOW QUERY_TASK / KILL syntax: ${what} ${near}`);
  }
  end(): void {
    this.acceptOp(';');
    if (this.peek().kind !== 'end') throw this.error('unexpected text');
  }

  condition(): Condition {
    if (++this.depth > MAX_CONDITION_DEPTH) throw syntaxError('condition nested too deeply');
    let left = this.conjunction();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.conjunction() };
    this.depth--;
    return left;
  }
  conjunction(): Condition {
    let left = this.negation();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }
  negation(): Condition {
    if (this.acceptWord('NOT')) {
      if (++this.depth > MAX_CONDITION_DEPTH) throw syntaxError('condition nested too deeply');
      const operand = this.negation();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.predicate();
  }
  predicate(): Condition {
    // A parenthesised condition (not a parenthesised operand: operands are single tokens).
    if (this.isOp('(')) {
      this.next();
      const c = this.condition();
      this.expectOp(')');
      return c;
    }
    const left = this.operand();
    const negated = this.acceptWord('NOT');
    if (this.acceptWord('IN')) {
      this.expectOp('(');
      const values: Literal[] = [this.literal()];
      while (this.acceptOp(',')) values.push(this.literal());
      this.expectOp(')');
      return { kind: 'in', operand: left, values, negated };
    }
    if (this.acceptWord('LIKE')) {
      const t = this.next();
      if (t.kind !== 'string') throw this.error('LIKE needs a string pattern');
      return { kind: 'like', operand: left, pattern: t.value, negated };
    }
    if (this.acceptWord('BETWEEN')) {
      const low = this.literal();
      this.expectWord('AND');
      const high = this.literal();
      return { kind: 'between', operand: left, low, high, negated };
    }
    if (negated) throw this.error('expected IN, LIKE or BETWEEN after NOT');
    if (this.acceptWord('IS')) {
      const neg = this.acceptWord('NOT');
      this.expectWord('NULL');
      return { kind: 'isNull', operand: left, negated: neg };
    }
    const t = this.peek();
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.next();
      const op = (t.value === '!=' ? '<>' : t.value) as CompareOp;
      return { kind: 'compare', op, left, right: this.operand() };
    }
    throw this.error('expected a comparison (=, <>, <, <=, >, >=, IN, LIKE, BETWEEN, IS NULL)');
  }
  operand(): Operand {
    const t = this.peek();
    if (t.kind === 'ident' && (t.quoted || !['NULL', 'TRUE', 'FALSE'].includes(t.value.toUpperCase()))) {
      this.next();
      return { kind: 'column', name: t.value.toLowerCase() };
    }
    return { kind: 'literal', value: this.literal() };
  }
  literal(): Literal {
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'number') {
      this.next();
      return t.value;
    }
    const after = this.peek(1);
    if (t.kind === 'op' && t.value === '-' && after.kind === 'number') {
      this.next();
      this.next();
      return -after.value;
    }
    if (t.kind === 'ident' && !t.quoted) {
      const w = t.value.toUpperCase();
      const v = w === 'NULL' ? null : w === 'TRUE' ? true : w === 'FALSE' ? false : undefined;
      if (v !== undefined) {
        this.next();
        return v;
      }
    }
    throw this.error('expected a literal (string, number, NULL, TRUE, FALSE)');
  }
  integer(what: string): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text) || t.value > MAX_LIMIT) {
      throw syntaxError(`${what} must be a whole number from 0 to ${MAX_LIMIT}`);
    }
    return t.value;
  }
}

/** True when the text looks like SHOW [FULL] QUERY_TASK (cheap pre-check). */
export function isShowQueryTask(sql: string): boolean {
  return /^\s*(\/\*[\s\S]*?\*\/\s*)*show\s+(full\s+)?query_task\b/i.test(sql);
}

/** True when the text looks like KILL [QUERY] '<string>' / "<string>". */
export function isKillTask(sql: string): boolean {
  return /^\s*kill\s+(query\s+)?['"]/i.test(sql);
}

/** Parses SHOW [FULL] QUERY_TASK …; throws LC_QUERY_TASK_SYNTAX. */
export function parseShowQueryTask(sql: string): ShowQueryTaskStatement {
  const p = new Parser(tokenize(sql));
  p.expectWord('SHOW');
  const full = p.acceptWord('FULL');
  p.expectWord('QUERY_TASK');
  let forUser: string | null = null;
  if (p.acceptWord('FOR')) {
    const t = p.next();
    if (t.kind !== 'string' && t.kind !== 'ident') throw p.error("FOR needs a user name ('name')");
    forUser = t.value;
  }
  let where: Condition | null = null;
  if (p.acceptWord('WHERE')) where = p.condition();
  const orderBy: { column: string; direction: 'asc' | 'desc' }[] = [];
  if (p.acceptWord('ORDER')) {
    p.expectWord('BY');
    do {
      const t = p.next();
      if (t.kind !== 'ident') throw p.error('ORDER BY needs a column name');
      let direction: 'asc' | 'desc' = 'asc';
      if (p.acceptWord('DESC')) direction = 'desc';
      else p.acceptWord('ASC');
      orderBy.push({ column: t.value.toLowerCase(), direction });
    } while (p.acceptOp(','));
  }
  let limit: number | null = null;
  let offset = 0;
  if (p.acceptWord('LIMIT')) {
    limit = p.integer('LIMIT');
    if (p.acceptOp(',')) {
      offset = limit;
      limit = p.integer('LIMIT');
    } else if (p.acceptWord('OFFSET')) {
      offset = p.integer('OFFSET');
    }
  }
  p.end();
  return { kind: 'showQueryTask', full, forUser, where, orderBy, limit, offset };
}

/** Parses KILL [QUERY] 'task-id' (or "task-id"); throws LC_QUERY_TASK_SYNTAX. */
export function parseKillTask(sql: string): KillTaskStatement {
  const p = new Parser(tokenize(sql));
  p.expectWord('KILL');
  p.acceptWord('QUERY');
  const t = p.next();
  if (t.kind !== 'string') throw p.error("expected a quoted task id: KILL QUERY 'q…'");
  p.end();
  return { kind: 'killTask', taskId: t.value.trim() };
}
