/**
 * Task ids shaped like DLA's (`q201811021109sh8d1a0b750000182`): `q` + `yyyyMMddHHmm` (UTC) + a 2-character node
 * code + 15 characters, 30 in all, lower case `[0-9a-z]`.
 *
 * The 15 characters are 4 base-36 digits of the millisecond within the minute, 4 base-36 digits of a per-ms
 * sequence and 7 random base-36 digits, so ids from one node sort by creation time (strictly increasing, even
 * within one millisecond or when the clock steps back) and ids from different nodes sort by minute.
 */
import { randomBytes } from 'node:crypto';
import { randomHex } from '../shared/index.js';

export const TASK_ID_LENGTH = 30;
/** Matches a task id exactly. */
export const TASK_ID_PATTERN = /^q\d{12}[0-9a-z]{17}$/;

const SEQ_MAX = 36 ** 4;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function base36(n: number, width: number): string {
  return n.toString(36).padStart(width, '0');
}

// Random bytes are drawn in blocks: one randomBytes() call per id would dominate the cost of submit.
let pool = Buffer.alloc(0);
let poolPos = 0;

function random36(count: number): string {
  if (poolPos + count > pool.length) {
    pool = randomBytes(4096);
    poolPos = 0;
  }
  let s = '';
  // The slight bias of `% 36` over 256 values is irrelevant: the sequence, not the randomness, makes ids unique.
  for (let i = 0; i < count; i++) s += ALPHABET[pool[poolPos++]! % 36];
  return s;
}

/** Validates a node code: exactly 2 characters of `[0-9a-z]`. */
export function assertNodeCode(code: string): string {
  if (!/^[0-9a-z]{2}$/.test(code)) throw new Error(`node code must be 2 characters [0-9a-z], got '${code}'`);
  return code;
}

/** Generates task ids for one node. */
export interface TaskIdGenerator {
  /** A new id; `now` (ms since epoch) defaults to Date.now(). */
  next(now?: number): string;
}

/** Creates a monotonic task id generator for `nodeCode` (2 characters `[0-9a-z]`). */
export function createTaskIdGenerator(nodeCode: string): TaskIdGenerator {
  assertNodeCode(nodeCode);
  let lastMs = 0;
  let seq = 0;
  return {
    next(now = Date.now()) {
      if (now > lastMs) {
        lastMs = now;
        seq = 0;
      } else {
        // Same ms or the clock went back: stay on the last ms and count up; borrow the next ms on overflow.
        seq++;
        if (seq >= SEQ_MAX) {
          lastMs++;
          seq = 0;
        }
      }
      const d = new Date(lastMs);
      const msInMinute = d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
      return `${taskIdPrefix(lastMs)}${nodeCode}${base36(msInMinute, 4)}${base36(seq, 4)}${random36(7)}`;
    },
  };
}

/**
 * `q` + the `yyyyMMddHHmm` (UTC) of `ms`: every id created in an earlier minute sorts below it, every id of that
 * minute or later above it (the ids' time-sortable prefix; used to bound reads of old tasks by primary key).
 */
export function taskIdPrefix(ms: number): string {
  const d = new Date(ms);
  return `q${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}`;
}

/** The creation minute encoded in a task id (UTC), or null when `id` is not a task id. */
export function taskIdTime(id: string): Date | null {
  if (!TASK_ID_PATTERN.test(id)) return null;
  const s = id.slice(1, 13);
  const ms = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12));
  return new Date(ms + Number.parseInt(id.slice(15, 19), 36));
}

/**
 * Presto-style `mpp_query_id`s (`20181102_110940_00002_x3f9a`: UTC date and time, a per-node sequence of 5
 * digits, 5 random hex characters), as DLA's `SHOW QUERY_TASK` shows them for a task's engine query.
 */
export function createMppQueryIds(): (now: number) => string {
  let seq = 0;
  return (now) => {
    const d = new Date(now);
    seq = (seq + 1) % 100_000;
    return (
      `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}_` +
      `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}_${pad(seq, 5)}_` +
      randomHex(3).slice(0, 5)
    );
  };
}
