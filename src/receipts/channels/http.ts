/** HTTP delivery shared by the webhook and robot channels (Node's built-in fetch, undici). */
import { DeliveryError } from './types.js';

/** `Retry-After` (seconds or an HTTP date) → ms, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * POSTs `body` and classifies the answer: 2xx resolves with the response text; 408, 425, 429 and 5xx are
 * retryable (honouring `Retry-After`); 410 Gone disables the channel; other statuses are terminal.
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    if (signal.aborted || e.name === 'AbortError' || e.name === 'TimeoutError') {
      throw new DeliveryError('timed out waiting for the receiver', { retryable: true, cause: err });
    }
    const why = e.cause?.code ?? e.cause?.message ?? e.message ?? 'network error';
    throw new DeliveryError(`HTTP request failed: ${why}`, { retryable: true, cause: err });
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ');
  const msg = `HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
  if (res.status === 410) throw new DeliveryError(msg, { retryable: false, disableChannel: true });
  if ([408, 425, 429].includes(res.status) || res.status >= 500) {
    throw new DeliveryError(msg, {
      retryable: true,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }
  // 3xx is refused too: following redirects would let a receiver bounce us into the private network.
  throw new DeliveryError(msg, { retryable: false });
}

/** Parses a JSON answer (robots answer 200 with an error code inside), `{}` when it is not JSON. */
export function jsonOf(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
