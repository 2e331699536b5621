import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the secret is `whsec_` + base64 key bytes; the
 * signature is `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), timestamp in Unix seconds.
 */
export function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/** The `webhook-signature` header value. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest();
  return `v1,${mac.toString('base64')}`;
}

/** Verifies a `webhook-signature` header (space-separated `v1,<sig>` entries), as a receiver does. */
export function verifyStandardWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  options: { toleranceSecs?: number; nowSecs?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  const now = options.nowSecs ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (options.toleranceSecs ?? 300)) return false;
  const expected = Buffer.from(signStandardWebhook(secret, headers.id, ts, body).slice(3), 'base64');
  return headers.signature.split(' ').some((entry) => {
    const [version, sig] = entry.split(',', 2);
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
