/**
 * Result links served by Lakecast itself (`/v1/result-links/<token>`), for results roots that cannot presign
 * (a local folder): a token names a task and an expiry and carries an HMAC-SHA256 of both under a key only this
 * server holds, so whoever holds the link may download that one result until it expires, without credentials —
 * what a presigned S3 URL is for an S3 root.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { LakecastError, loadOrCreateKeyFile } from '../shared/index.js';
import { TaskErrors } from './errors.js';

/** Where the key lives under the data dir (mode 0600 in a 0700 folder). Delete it to revoke every link. */
export const LINK_KEY_PATH = path.join('secrets', 'result-links.key');
const KEY_BYTES = 32;
/** Path of the route that serves links, under the HTTP API's root. */
export const RESULT_LINK_ROUTE = '/v1/result-links';

/**
 * The link key of `dataDir`: read when it exists, else made (32 random bytes, written and fsynced before use, so
 * links survive a restart). A key file of another size is refused rather than trusted.
 */
export function loadOrCreateLinkKey(dataDir: string): Buffer {
  return loadOrCreateKeyFile(path.join(dataDir, LINK_KEY_PATH), KEY_BYTES);
}

/** Signs and checks result-link tokens: `<task id>.<expiry, unix seconds>.<HMAC, base64url>`. */
export class ResultLinkSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  #mac(id: string, expires: string): Buffer {
    return createHmac('sha256', this.#key).update(`lakecast result link\n${id}\n${expires}`).digest();
  }

  /** A token for task `id`, valid until `expiresAtMs` (rounded down to the second). */
  sign(id: string, expiresAtMs: number): string {
    const expires = String(Math.floor(expiresAtMs / 1000));
    return `${id}.${expires}.${this.#mac(id, expires).toString('base64url')}`;
  }

  /**
   * The task id a token names, when its signature is this server's and it has not expired at `nowMs`; else
   * LC_TASK_LINK_INVALID (the same answer for a forged, altered or malformed token, and its own for an expired one).
   */
  verify(token: string, nowMs: number): string {
    const m = /^([A-Za-z0-9]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    // The signature's text is compared, not its decoded bytes: base64url's last character has two spare bits, and
    // a token is valid only exactly as it was issued.
    const given = m ? Buffer.from(m[3]!) : null;
    const expected = m ? Buffer.from(this.#mac(m[1]!, m[2]!).toString('base64url')) : null;
    if (!m || !given || !expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LakecastError(TaskErrors.TASK_LINK_INVALID, 'this result link is not valid');
    }
    if (Number(m[2]) * 1000 <= nowMs) {
      throw new LakecastError(TaskErrors.TASK_LINK_INVALID, 'this result link has expired');
    }
    return m[1]!;
  }
}
