import { AsyncLocalStorage } from 'node:async_hooks';

const lazy = new AsyncLocalStorage<boolean>();

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

/**
 * Runs `fn` with commits that wait to be durable, also when called from inside {@link
 * withoutWaitingForDurability}: the context is inherited by every callback scheduled there (setImmediate,
 * queueMicrotask, timers), so work started from such a callback on behalf of others must reset it.
 */
export function waitingForDurability<T>(fn: () => Promise<T>): Promise<T> {
  return lazy.run(false, fn);
}

/** True inside {@link withoutWaitingForDurability} (for the dialects). */
export function durabilityDeferred(): boolean {
  return lazy.getStore() === true;
}
