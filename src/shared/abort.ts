/**
 * Races `p` against `signal`, for a call that takes no signal of its own: rejects with `reasonOf(signal)` (the
 * signal's reason by default) as soon as it aborts, else settles as `p` does. The listener is removed either way.
 */
export function raceAbort<T>(
  p: Promise<T>,
  signal: AbortSignal,
  reasonOf: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<T> {
  if (signal.aborted) return Promise.reject(reasonOf(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reasonOf(signal));
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
