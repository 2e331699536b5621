import { causes, type ErrorKind } from '../driver.js';

// Socket-level failures reported by node/pg.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);
// SQLSTATEs meaning "try again later" (https://www.postgresql.org/docs/current/errcodes-appendix.html):
// admin shutdown, crash shutdown, cannot connect now, too many connections, serialization failure, deadlock.
const RETRYABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);

/** Classifies a `pg` error by its SQLSTATE (`code`) or socket error code. */
export function classifyPostgresError(err: unknown): ErrorKind {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code === '23505') return 'unique';
      if (code === '23503') return 'foreign_key';
      if (NETWORK_CODES.has(code) || RETRYABLE_STATES.has(code) || code.startsWith('08'))
        return 'unavailable';
    }
    if (
      e instanceof Error &&
      /Connection terminated|connection timeout|Cannot use a pool after calling end/i.test(e.message)
    ) {
      return 'unavailable';
    }
  }
  return 'other';
}
