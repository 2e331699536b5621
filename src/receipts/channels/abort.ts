import { DeliveryError } from './types.js';

/** Races `p` against `signal` (a client call that takes no signal of its own). */
export function withAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(timeoutError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timeoutError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function timeoutError(signal: AbortSignal): DeliveryError {
  return new DeliveryError('timed out waiting for the broker', { retryable: true, cause: signal.reason });
}

/** A lazily created, shared connection, dropped (and re-created on next use) when it fails. */
export class LazyConnection<C> {
  private current: Promise<C> | undefined;
  constructor(
    private readonly open: (onLost: () => void) => Promise<C>,
    private readonly shut: (c: C) => Promise<void>,
  ) {}
  get(): Promise<C> {
    if (!this.current) {
      const p = this.open(() => {
        if (this.current === p) this.current = undefined;
      });
      this.current = p;
      p.catch(() => {
        if (this.current === p) this.current = undefined;
      });
    }
    return this.current;
  }
  /** Forgets the connection (after an error) and closes it quietly. */
  reset(): void {
    const p = this.current;
    this.current = undefined;
    p?.then((c) => this.shut(c)).catch(() => {});
  }
  async close(): Promise<void> {
    const p = this.current;
    this.current = undefined;
    if (p) await p.then((c) => this.shut(c)).catch(() => {});
  }
}
