/**
 * Compiles a SHOW QUERY_TASK condition (parser.ts) to a Kysely expression over `query_tasks`. Column names
 * are checked against the visible task columns and every literal becomes a bound parameter, so no text
 * of the statement ever reaches the catalog's SQL. Literals are converted to the column's type first:
 * times accept `'YYYY-MM-DD[ HH:MM:SS[.fff]]'` (UTC) or epoch ms, `status` is compared upper case.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { LakecastError } from '../../shared/index.js';
import { taskColumnKind } from '../../tasks/columns.js';
import type { TaskColumn, TaskCondition, TasksDatabase } from '../../tasks/store/index.js';
import { AsyncStatementErrors, syntaxError } from './errors.js';
import type { Condition, Literal, Operand } from './parser.js';

type EB = ExpressionBuilder<TasksDatabase, 'query_tasks'>;
type Value = string | number | null;

// Constant truth values (SQLite cannot bind booleans).
const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/** A visible task column, else LC_QUERY_TASK_UNKNOWN_COLUMN (MySQL's 1054 wording). */
export function taskColumn(name: string, clause: string): TaskColumn {
  if (taskColumnKind(name) === undefined) {
    throw new LakecastError(
      AsyncStatementErrors.QUERY_TASK_UNKNOWN_COLUMN,
      `Unknown column '${name.length > 64 ? `${name.slice(0, 64)}…` : name}' in '${clause}'`,
    );
  }
  return name as TaskColumn;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?Z?$/;

/** `'2018-11-02 11:09:40.0'` → epoch ms (UTC). */
export function parseTaskTime(text: string): number {
  const m = TIME_RE.exec(text.trim());
  if (!m) throw syntaxError(`not a time: '${text.slice(0, 40)}' (expected 'YYYY-MM-DD HH:MM:SS')`);
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
  if (Number.isNaN(t)) throw syntaxError(`not a time: '${text.slice(0, 40)}'`);
  return t;
}

/** Converts a literal to the stored form of `column`. */
function convert(column: TaskColumn, value: Literal): Value {
  if (value === null) return null;
  const kind = taskColumnKind(column)!;
  if (typeof value === 'boolean') value = value ? 1 : 0;
  if (kind === 'time') return typeof value === 'number' ? value : parseTaskTime(value);
  if (kind === 'int' || kind === 'real') {
    if (typeof value === 'number') return value;
    const n = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw syntaxError(`'${value.slice(0, 40)}' is not a number (column ${column})`);
    }
    return n;
  }
  const s = typeof value === 'number' ? String(value) : value;
  return column === 'status' ? s.toUpperCase() : s;
}

function literalValue(value: Literal): Value {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** Compiles `cond` for the given catalog dialect (LIKE is case-insensitive on both, as in MySQL). */
export function compileCondition(cond: Condition, dialect: 'sqlite' | 'postgres'): TaskCondition {
  const build = (eb: EB, c: Condition): Expression<SqlBool> => {
    switch (c.kind) {
      case 'and':
        return eb.and([build(eb, c.left), build(eb, c.right)]);
      case 'or':
        return eb.or([build(eb, c.left), build(eb, c.right)]);
      case 'not':
        return eb.not(build(eb, c.operand));
      case 'compare': {
        const { left, right } = c;
        if (left.kind === 'column' && right.kind === 'column') {
          return eb(
            eb.ref(taskColumn(left.name, 'where clause')),
            c.op,
            eb.ref(taskColumn(right.name, 'where clause')),
          );
        }
        if (left.kind === 'column' || right.kind === 'column') {
          const col = taskColumn(
            (left.kind === 'column' ? left : (right as Extract<Operand, { kind: 'column' }>)).name,
            'where clause',
          );
          const lit = (left.kind === 'literal' ? left : (right as Extract<Operand, { kind: 'literal' }>))
            .value;
          const v = convert(col, lit);
          // SQL semantics: a comparison with NULL is never true.
          if (v === null) return FALSE;
          return left.kind === 'column' ? eb(eb.ref(col), c.op, v) : eb(eb.val(v), c.op, eb.ref(col));
        }
        return eb(eb.val(literalValue(left.value)), c.op, eb.val(literalValue(right.value)));
      }
      case 'in': {
        const col = columnOf(c.operand, 'IN');
        const values = c.values.map((v) => convert(col, v)).filter((v): v is string | number => v !== null);
        if (values.length === 0) return c.negated ? TRUE : FALSE;
        return eb(eb.ref(col), c.negated ? 'not in' : 'in', values);
      }
      case 'like': {
        const col = columnOf(c.operand, 'LIKE');
        const op =
          dialect === 'postgres' ? (c.negated ? 'not ilike' : 'ilike') : c.negated ? 'not like' : 'like';
        // Compare as text on both dialects (a LIKE on a number column matches its decimal text).
        return eb(eb.cast(eb.ref(col), 'text'), op, c.pattern);
      }
      case 'isNull':
        return eb(eb.ref(columnOf(c.operand, 'IS NULL')), c.negated ? 'is not' : 'is', null);
      case 'between': {
        const col = columnOf(c.operand, 'BETWEEN');
        const low = convert(col, c.low);
        const high = convert(col, c.high);
        if (low === null || high === null) return FALSE;
        const e = eb.between(eb.ref(col), low, high);
        return c.negated ? eb.not(e) : e;
      }
    }
  };
  return (eb) => build(eb, cond);
}

function columnOf(operand: Operand, clause: string): TaskColumn {
  if (operand.kind !== 'column') throw syntaxError(`${clause} needs a column on its left`);
  return taskColumn(operand.name, 'where clause');
}

/**
 * The statuses `cond` admits, when one of its top-level AND terms bounds `status` to a list of values
 * (`status = 'X'`, `status IN (…)`, or an OR of `status = …` terms); else null (any status may match).
 * Upper case, as `status` is compared.
 */
export function statusesAdmitted(cond: Condition): string[] | null {
  const values = (c: Condition): string[] | null => {
    if (c.kind === 'compare' && c.op === '=') {
      const [col, lit] = c.left.kind === 'column' ? [c.left, c.right] : [c.right, c.left];
      if (col.kind !== 'column' || lit.kind !== 'literal' || col.name.toLowerCase() !== 'status') return null;
      return typeof lit.value === 'string' ? [lit.value.toUpperCase()] : [];
    }
    if (
      c.kind === 'in' &&
      !c.negated &&
      c.operand.kind === 'column' &&
      c.operand.name.toLowerCase() === 'status'
    )
      return c.values.filter((v): v is string => typeof v === 'string').map((v) => v.toUpperCase());
    if (c.kind === 'or') {
      const l = values(c.left);
      const r = l && values(c.right);
      return l && r ? [...l, ...r] : null;
    }
    return null;
  };
  if (cond.kind === 'and') return statusesAdmitted(cond.left) ?? statusesAdmitted(cond.right);
  return values(cond);
}

/**
 * True when one of `cond`'s top-level AND terms pins the task id (`id = 'x'`, `id IN ('x', …)`): the rows it can
 * match are found through the primary key, however long the history.
 */
export function pinsIds(cond: Condition): boolean {
  if (cond.kind === 'and') return pinsIds(cond.left) || pinsIds(cond.right);
  const isId = (o: Operand) => o.kind === 'column' && o.name.toLowerCase() === 'id';
  if (cond.kind === 'compare' && cond.op === '=')
    return (
      (isId(cond.left) && cond.right.kind === 'literal') || (isId(cond.right) && cond.left.kind === 'literal')
    );
  return cond.kind === 'in' && !cond.negated && isId(cond.operand);
}
