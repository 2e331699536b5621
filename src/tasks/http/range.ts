/**
 * HTTP byte ranges of result downloads (RFC 9110 §14): resumable and parallel downloads of large results with
 * curl `-C -`, wget `-c`, aria2 or a browser. One range of bytes is honoured; anything else is ignored and the
 * whole file is sent, as the RFC allows.
 */
import type { RangeRequest } from '../types.js';

/** Longest `Range` header value looked at; longer ones are ignored (the whole file is sent). */
const MAX_RANGE_HEADER = 200;

/**
 * The byte range of a `Range` header: `bytes=a-b`, `bytes=a-` or `bytes=-n`. Null — send the whole file — for
 * no header, another unit, several ranges, `b < a`, numbers beyond 2^53 or anything malformed.
 */
export function parseRangeHeader(value: string | string[] | undefined): RangeRequest | null {
  if (typeof value !== 'string' || value.length > MAX_RANGE_HEADER) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!m) return null;
  const [, first = '', last = ''] = m;
  const num = (s: string) => (Number.isSafeInteger(Number(s)) ? Number(s) : null);
  if (first === '') {
    const suffix = last === '' ? null : num(last);
    return suffix === null ? null : { suffix };
  }
  const start = num(first);
  if (start === null) return null;
  if (last === '') return { start };
  const end = num(last);
  return end === null || end < start ? null : { start, end };
}

/**
 * A result file's entity tag: the task id. A task's result file never changes once written (a task that ran
 * again after a crash had no result yet; an expired one has none at all), so the id validates it strongly.
 */
export function resultEtag(taskId: string): string {
  return `"${taskId}"`;
}

/** True when an `If-None-Match` or `If-Range` value names `etag` (`*` matches any). */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (typeof header !== 'string') return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag;
  });
}
