import { raceAbort } from '../../shared/index.js';
import { DeliveryError } from './types.js';

/** Races `p` against `signal` (a client call that takes no signal of its own): a retryable timeout on abort. */
export function withAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return raceAbort(p, signal, timeoutError);
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
