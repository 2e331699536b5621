import { AsyncLocalStorage } from 'node:async_hooks';

const lazy = new AsyncLocalStorage<true>();

/**
 * Runs `fn` with commits that do not wait to be durable: on the SQLite catalog, a transaction committed inside
 * resolves once committed, without its own fdatasync of the WAL; the next durable commit (any later one) makes
 * it durable too, since the WAL is written in commit order. For writes nobody is told about before a later,
 * durable write (a task's QUEUED → RUNNING and its progress: its terminal commit follows). After a crash such a
 * commit may be lost, never reordered. PostgreSQL commits are durable either way.
 */
export function withoutWaitingForDurability<T>(fn: () => Promise<T>): Promise<T> {
  return lazy.run(true, fn);
}

/** True inside {@link withoutWaitingForDurability} (for the dialects). */
export function durabilityDeferred(): boolean {
  return lazy.getStore() === true;
}
