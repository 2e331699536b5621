import type { CompiledQuery } from 'kysely';

const OFF_THE_EVENT_LOOP = Symbol('lakecast.catalog.offTheEventLoop');

/**
 * Marks a compiled read that may visit many rows (a condition no index serves, a sort of the caller's choice):
 * on the SQLite catalog it runs on the catalog's read thread (sqlite/read-thread.ts) instead of holding the
 * event loop while better-sqlite3 works through the rows; inside a transaction it runs where the transaction
 * is. PostgreSQL reads never hold the loop, and ignore the mark. Run it with `db.executeQuery(…)`.
 */
export function offTheEventLoop<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  return { ...query, [OFF_THE_EVENT_LOOP]: true } as CompiledQuery<R>;
}

/** True for a query marked by {@link offTheEventLoop} (for the dialects). */
export function isOffTheEventLoop(query: CompiledQuery): boolean {
  return (query as unknown as Record<symbol, unknown>)[OFF_THE_EVENT_LOOP] === true;
}
