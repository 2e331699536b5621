/**
 * gzip for result downloads (RFC 9110 §8.4, §12.5.3): a CSV or NDJSON result compresses about 3 times (random
 * values) or more, and HTTP clients ask for it (curl `--compressed`; Python's requests, browsers and fetch by
 * default), decompressing it transparently. Parquet is compressed already and is always sent as it is; so is a
 * byte range (ranges are of the file's own bytes, so resumed downloads line up) and anything sent to a client
 * that did not ask.
 */

import type { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

/** Longest `Accept-Encoding` value looked at; a longer one is ignored (the file is sent as it is). */
const MAX_ACCEPT_ENCODING = 500;

/**
 * zlib level of result downloads: on a 52 MB CSV of random orders level 1 compresses ~100 MB/s per core (≈ a
 * gigabit link) to 18 MB; the default level 6 gets 15.5 MB at ~35 MB/s.
 */
export const RESULT_GZIP_LEVEL = 1;

/** When result downloads are gzipped (config `tasks.resultGzip`). */
export type ResultGzip = 'remote' | 'always' | 'never';

/** The result file types worth compressing (text). */
const COMPRESSIBLE = /^(text\/csv|application\/x-ndjson)\b/;

/**
 * True when an `Accept-Encoding` header lets us send gzip: `gzip` (or `x-gzip`) listed with a weight above 0, or
 * `*` above 0 with gzip not listed. No header, `identity`, `gzip;q=0`, anything malformed or oversized: false.
 */
export function acceptsGzip(value: string | string[] | undefined): boolean {
  if (typeof value !== 'string' || value.length > MAX_ACCEPT_ENCODING) return false;
  let gzip: number | null = null;
  let any: number | null = null;
  for (const part of value.split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    let q = 1;
    for (const p of params) {
      const [name = '', weight = ''] = p.split('=').map((s) => s.trim());
      if (name !== 'q') continue;
      // A malformed weight makes the coding not acceptable.
      q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(weight) ? Number(weight) : 0;
    }
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (coding === '*') any = q;
  }
  return gzip !== null ? gzip > 0 : any !== null && any > 0;
}

/** True when `mode` lets a client at `peer` (its socket address) have gzip and its `Accept-Encoding` asks for it. */
export function gzipWanted(
  mode: ResultGzip,
  peer: string | undefined,
  acceptEncoding: string | string[] | undefined,
): boolean {
  if (mode === 'never' || (mode === 'remote' && isLoopback(peer))) return false;
  return acceptsGzip(acceptEncoding);
}

/** True for the result content types sent gzipped when the client accepts it. */
export function isCompressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType);
}

/** True for a peer address on this machine: 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** The entity tag of a result's gzip representation (RFC 9110 §8.8.3: another coding, another tag). */
export function gzipEtag(identityEtag: string): string {
  return `${identityEtag.slice(0, -1)}.gz"`;
}

/**
 * `body` gzipped, streaming (zlib runs on libuv's thread pool, off the event loop). Destroying the returned
 * stream (a client that went away) destroys `body` too, so the result file's descriptor is closed.
 */
export function gzipStream(body: Readable): Readable {
  const gzip = createGzip({ level: RESULT_GZIP_LEVEL });
  body.on('error', (err) => gzip.destroy(err));
  gzip.on('close', () => body.destroy());
  return body.pipe(gzip);
}
