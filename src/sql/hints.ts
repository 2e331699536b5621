/**
 * DLA-style statement hints: a leading `/*+ key=value, key=value *\/` comment (see docs/hints.md).
 *
 * Keys are matched case-insensitively and `_` is the same as `-` (`run_async` = `run-async`, as DLA accepted
 * both). Every key is validated: an unknown key or a bad value is an error naming the key, never ignored.
 */
import { defineErrors, LakecastError } from '../shared/index.js';

/** Hint errors. Both use MySQL's ER_PARSE_ERROR (1064 / 42000): the statement text is what is wrong. */
export const HintErrors = defineErrors({
  HINT_UNKNOWN: { errno: 1064, sqlState: '42000', httpStatus: 400 },
  HINT_INVALID: { errno: 1064, sqlState: '42000', httpStatus: 400 },
});

/** Output formats of result files. */
export type OutputFormat = 'csv' | 'json' | 'parquet';
/** Terminal states a receipt may be sent for (`mq-on`). */
export type ReceiptOn = 'success' | 'failure' | 'cancelled';

/** Parsed, typed hints. Absent keys are `undefined`. */
export interface Hints {
  /** `run-async`: run as an async task, answer at once with ASYNC_TASK_ID. */
  readonly runAsync?: boolean;
  /** `force-persist-result`: a sync query also writes its result file. */
  readonly forcePersistResult?: boolean;
  /** `query-timeout`: seconds (positive, at most 7 days). */
  readonly queryTimeoutSecs?: number;
  /** `output-format`: `csv` (default), `json` (NDJSON) or `parquet`. */
  readonly outputFormat?: OutputFormat;
  /** `client-token`: idempotency token (same token + same user → same task). */
  readonly clientToken?: string;
  /** `mq-notify-by`: receipt channel name. */
  readonly mqNotifyBy?: string;
  readonly mqTopic?: string;
  readonly mqQueue?: string;
  readonly mqProducerId?: string;
  readonly mqEndpoint?: string;
  /** `mq-threshold-secs`: only notify when the task ran longer than this many seconds. */
  readonly mqThresholdSecs?: number;
  /** `mq-on`: terminal states to notify on (default: all). */
  readonly mqOn?: readonly ReceiptOn[];
}

/** Column of the answer to a `run-async` submit, as DLA names it. */
export const ASYNC_TASK_ID_COLUMN = 'ASYNC_TASK_ID';

/** Result of {@link parseHints}. */
export interface ParsedStatement {
  readonly hints: Hints;
  /** The statement without the leading hint comment(s) and the whitespace before it. */
  readonly body: string;
  /** The hint comment(s) exactly as written (empty when there is none). */
  readonly raw: string;
}

/** Longest accepted hint comment, characters (hostile-input guard). */
export const MAX_HINT_TEXT = 8192;
const MAX_TIMEOUT_SECS = 7 * 24 * 3600;

type Parser = (key: string, value: string) => unknown;

function invalid(key: string, why: string): LakecastError {
  return new LakecastError(HintErrors.HINT_INVALID, `Invalid value for hint '${key}': ${why}`);
}

const bool: Parser = (key, v) => {
  const s = v.toLowerCase();
  if (s === 'true' || s === '1' || s === 'on' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'off' || s === 'no') return false;
  throw invalid(key, 'expected true or false');
};

function number(min: number, max: number, integer: boolean): Parser {
  return (key, v) => {
    if (!/^\d+(\.\d+)?$/.test(v)) throw invalid(key, `expected a number of seconds, got '${clip(v)}'`);
    const n = Number(v);
    if (integer && !Number.isInteger(n)) throw invalid(key, 'expected a whole number');
    if (n < min || n > max) throw invalid(key, `expected ${min} to ${max}`);
    return n;
  };
}

function text(pattern: RegExp, what: string, maxLength = 255): Parser {
  return (key, v) => {
    if (v.length === 0) throw invalid(key, 'empty value');
    if (v.length > maxLength) throw invalid(key, `longer than ${maxLength} characters`);
    if (!pattern.test(v)) throw invalid(key, `expected ${what}`);
    return v;
  };
}

const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/u;

const SPEC_TABLE: Record<string, { prop: keyof Hints; parse: Parser }> = {
  'run-async': { prop: 'runAsync', parse: bool },
  'force-persist-result': { prop: 'forcePersistResult', parse: bool },
  'query-timeout': { prop: 'queryTimeoutSecs', parse: number(0.001, MAX_TIMEOUT_SECS, false) },
  'output-format': {
    prop: 'outputFormat',
    parse: (key, v) => {
      const s = v.toLowerCase();
      if (s === 'csv' || s === 'json' || s === 'parquet') return s;
      throw invalid(key, `expected csv, json or parquet, got '${clip(v)}'`);
    },
  },
  'client-token': {
    prop: 'clientToken',
    parse: text(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - (at most 128)', 128),
  },
  'mq-notify-by': { prop: 'mqNotifyBy', parse: text(/^[A-Za-z0-9_.-]+$/, 'a channel name', 64) },
  'mq-topic': { prop: 'mqTopic', parse: text(PRINTABLE, 'printable text') },
  'mq-queue': { prop: 'mqQueue', parse: text(PRINTABLE, 'printable text') },
  'mq-producer-id': { prop: 'mqProducerId', parse: text(PRINTABLE, 'printable text') },
  'mq-endpoint': {
    prop: 'mqEndpoint',
    parse: (key, v) => {
      const url = text(
        /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s\u0000-\u001f\u007f]+$/u,
        'a URL',
        2048,
      )(key, v) as string;
      // The statement text is stored and shown (command, hints): credentials must live in a named channel.
      if (/^[^:]+:\/\/[^/?#]*@/.test(url))
        throw invalid(key, 'credentials in the URL are not allowed; use a channel');
      return url;
    },
  },
  'mq-threshold-secs': { prop: 'mqThresholdSecs', parse: number(0, 365 * 24 * 3600, true) },
  'mq-on': {
    prop: 'mqOn',
    parse: (key, v) => {
      const out: ReceiptOn[] = [];
      for (const part of v.split(/[,|\s]+/)) {
        const s = part.toLowerCase();
        if (s === '') continue;
        if (s !== 'success' && s !== 'failure' && s !== 'cancelled') {
          throw invalid(key, `expected success, failure or cancelled, got '${clip(part)}'`);
        }
        if (!out.includes(s)) out.push(s);
      }
      if (out.length === 0) throw invalid(key, 'empty value');
      return out;
    },
  },
};

/** A Map, not the object, so `__proto__` / `constructor` never resolve to a spec. */
const SPECS = new Map(Object.entries(SPEC_TABLE));

/** Keys of every known hint, canonical spelling (`-`), for docs and the HTTP API schema. */
export const HINT_KEYS: readonly string[] = Object.freeze([...SPECS.keys()]);

/** Keys whose value is a list and may therefore contain unquoted commas (`mq-on=success,failure`). */
const LIST_KEYS = new Set(['mq-on']);

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Canonical key: trimmed, lower case, `_` → `-`. */
export function canonicalHintKey(key: string): string {
  return key.trim().toLowerCase().replaceAll('_', '-');
}

/**
 * Validates and types hints given as key/value pairs (the HTTP API's JSON, or the pairs of a hint comment).
 * Throws LC_HINT_UNKNOWN for an unknown key, LC_HINT_INVALID for a bad value or a key given twice.
 */
export function hintsFromEntries(entries: Iterable<readonly [string, unknown]>): Hints {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [rawKey, rawValue] of entries) {
    const key = canonicalHintKey(rawKey);
    const spec = SPECS.get(key);
    if (!spec) {
      throw new LakecastError(HintErrors.HINT_UNKNOWN, `Unknown hint '${clip(rawKey.trim())}'`);
    }
    if (seen.has(key)) throw invalid(key, 'given more than once');
    seen.add(key);
    let value: string;
    if (typeof rawValue === 'string') value = rawValue.trim();
    else if (typeof rawValue === 'number' && Number.isFinite(rawValue)) value = String(rawValue);
    else if (typeof rawValue === 'boolean') value = String(rawValue);
    else if (Array.isArray(rawValue) && LIST_KEYS.has(key)) value = rawValue.map(String).join(',');
    else throw invalid(key, 'expected a string, number or boolean');
    out[spec.prop] = spec.parse(key, value);
  }
  return Object.freeze(out) as Hints;
}

/** Splits the inside of one hint comment into key/value pairs. */
function splitPairs(inner: string): [string, string][] {
  const pairs: [string, string][] = [];
  let i = 0;
  const n = inner.length;
  while (i < n) {
    // skip separators
    while (i < n && (inner[i] === ',' || /\s/.test(inner[i]!))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && inner[i] !== '=' && inner[i] !== ',') i++;
    const key = inner.slice(keyStart, i).trim();
    if (inner[i] !== '=') {
      // A bare word: continuation of a list value (`mq-on=success,failure`), else an error.
      const last = pairs.at(-1);
      if (last && LIST_KEYS.has(canonicalHintKey(last[0])) && /^[A-Za-z]+$/.test(key)) {
        last[1] += `,${key}`;
        continue;
      }
      if (key === '') throw new LakecastError(HintErrors.HINT_INVALID, 'Invalid hint: empty key');
      throw invalid(canonicalHintKey(key), "expected 'key=value'");
    }
    if (key === '') throw new LakecastError(HintErrors.HINT_INVALID, "Invalid hint: '=' without a key");
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) {
      throw new LakecastError(HintErrors.HINT_UNKNOWN, `Unknown hint '${clip(key)}'`);
    }
    i++; // '='
    while (i < n && /\s/.test(inner[i]!)) i++;
    let value: string;
    const q = inner[i];
    if (q === "'" || q === '"') {
      // Quoted value: may contain commas; the quote is doubled to include it.
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= n) throw invalid(canonicalHintKey(key), 'unterminated quoted value');
        if (inner[j] === q) {
          if (inner[j + 1] === q) {
            v += q;
            j += 2;
            continue;
          }
          break;
        }
        v += inner[j];
        j++;
      }
      value = v;
      i = j + 1;
      while (i < n && /\s/.test(inner[i]!)) i++;
      if (i < n && inner[i] !== ',') throw invalid(canonicalHintKey(key), 'text after the quoted value');
    } else {
      const start = i;
      while (i < n && inner[i] !== ',') i++;
      value = inner.slice(start, i).trim();
      if (value.includes('=')) throw invalid(canonicalHintKey(key), "'=' in value (missing comma?)");
    }
    pairs.push([key, value]);
  }
  return pairs;
}

/**
 * Parses the leading hint comment(s) of a statement. Leading whitespace, then one or more `/*+ … *\/` comments;
 * anything else (including a plain `/* … *\/` comment) ends the hints. Without a hint comment the result is
 * `{ hints: {}, body: sql, raw: '' }`. A hint comment ends at the first `*\/` (as in MySQL), so a quoted value
 * cannot contain `*\/`.
 *
 * @throws LakecastError LC_HINT_UNKNOWN (unknown key) or LC_HINT_INVALID (bad value, duplicate key,
 *   unterminated comment, hint text longer than {@link MAX_HINT_TEXT}).
 */
export function parseHints(sql: string): ParsedStatement {
  // An async submit parses its statement twice in one turn: the SQL front (to see run-async) and the task
  // service (for the body); the second call answers from here.
  if (last !== null && last.sql === sql) return last.parsed;
  const parsed = Object.freeze(parse(sql));
  last = sql.length <= MEMO_MAX_CHARS ? { sql, parsed } : null;
  return parsed;
}

/** The last statement {@link parseHints} parsed (successfully) and its result. */
let last: { readonly sql: string; readonly parsed: ParsedStatement } | null = null;
/** Longer statements are not kept (the memo must not pin a huge text). */
const MEMO_MAX_CHARS = 64 * 1024;

function parse(sql: string): ParsedStatement {
  let i = 0;
  const n = sql.length;
  const skipWs = () => {
    while (i < n && /\s/.test(sql[i]!)) i++;
  };
  skipWs();
  if (!sql.startsWith('/*+', i)) return { hints: Object.freeze({}), body: sql, raw: '' };
  const rawStart = i;
  const pairs: [string, string][] = [];
  let rawEnd = i;
  while (sql.startsWith('/*+', i)) {
    const end = sql.indexOf('*/', i + 3);
    if (end < 0) throw new LakecastError(HintErrors.HINT_INVALID, 'Invalid hint: unterminated /*+ comment');
    if (end - rawStart > MAX_HINT_TEXT) {
      throw new LakecastError(
        HintErrors.HINT_INVALID,
        `Invalid hint: longer than ${MAX_HINT_TEXT} characters`,
      );
    }
    pairs.push(...splitPairs(sql.slice(i + 3, end)));
    i = end + 2;
    rawEnd = i;
    skipWs();
  }
  return { hints: hintsFromEntries(pairs), body: sql.slice(i), raw: sql.slice(rawStart, rawEnd) };
}

/** True when the text starts (after whitespace) with a hint comment: a cheap pre-check before {@link parseHints}. */
export function hasHints(sql: string): boolean {
  return /^\s*\/\*\+/.test(sql);
}

/** The hints as DLA-style key/value pairs (canonical keys), e.g. for storing and showing them. */
export function hintsToEntries(hints: Hints): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, spec] of SPECS) {
    const v = hints[spec.prop];
    if (v === undefined) continue;
    out.push([key, Array.isArray(v) ? v.join(',') : String(v)]);
  }
  return out;
}
