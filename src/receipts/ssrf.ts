import { LakecastError } from '../shared/index.js';
import { ReceiptErrors } from './errors.js';

/**
 * Whether a user-supplied `mq-endpoint` may be reached: its host (or `host:port`) must be on the admin allowlist.
 * Entries: `host`, `host:port`, `*.domain` (any sub-domain), `*` (anything — only for closed networks). Compared
 * on the URL's parsed host, so tricks such as `http://allowed@evil/` or `http://evil#allowed` do not pass.
 */
export function endpointAllowed(endpoint: string, allowlist: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port;
  for (const raw of allowlist) {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\]$/g, ''));
    const eHost = (m?.[1] ?? '').replace(/^\[|\]$/g, '');
    const ePort = m?.[2];
    if (ePort !== undefined && ePort !== port) continue;
    if (eHost.startsWith('*.')) {
      if (host.endsWith(eHost.slice(1))) return true;
    } else if (eHost === host) return true;
  }
  return false;
}

/** Throws LC_RECEIPT_ENDPOINT_DENIED when `endpoint` is not allowed. */
export function assertEndpointAllowed(endpoint: string, allowlist: readonly string[]): void {
  if (!endpointAllowed(endpoint, allowlist)) {
    let host = '?';
    try {
      host = new URL(endpoint).host;
    } catch {}
    throw new LakecastError(
      ReceiptErrors.RECEIPT_ENDPOINT_DENIED,
      `mq-endpoint host ${host} is not on the receipts endpoint allowlist`,
    );
  }
}
