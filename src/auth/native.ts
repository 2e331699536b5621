import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of a mysql_native_password scramble (nonce) and of SHA-1 values. */
export const SCRAMBLE_LENGTH = 20;

const sha1 = (...parts: Uint8Array[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * What `mysql_native_password` stores: SHA1(SHA1(password)), 20 bytes; the clear password is never kept.
 * The empty password maps to an empty buffer, as MySQL stores '' for an account without password (and the
 * client then sends an empty auth response).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html
 */
export function nativePasswordHash(password: string): Buffer {
  if (password === '') return Buffer.alloc(0);
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/**
 * Checks a client's `mysql_native_password` response to `scramble` (the 20-byte nonce of the handshake; a
 * trailing NUL or longer buffer is cut to 20 bytes) against the stored SHA1(SHA1(password)):
 * the client sent `SHA1(pw) XOR SHA1(scramble + stored)`, so XOR-ing again recovers SHA1(pw), whose SHA-1
 * must equal the stored hash. Constant-time comparison. An empty stored hash accepts only an empty response.
 */
export function verifyNativeScramble(storedHash: Buffer, scramble: Buffer, clientResponse: Buffer): boolean {
  if (storedHash.length === 0) return clientResponse.length === 0;
  if (storedHash.length !== 20 || clientResponse.length !== 20 || scramble.length < SCRAMBLE_LENGTH) {
    return false;
  }
  const mask = sha1(scramble.subarray(0, SCRAMBLE_LENGTH), storedHash);
  const stage1 = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) stage1[i] = clientResponse[i] ^ mask[i];
  return timingSafeEqual(sha1(stage1), storedHash);
}

/** Checks a clear password (HTTP basic auth) against the stored hash, in constant time. */
export function verifyPassword(storedHash: Buffer, password: string): boolean {
  const candidate = nativePasswordHash(password);
  if (candidate.length !== storedHash.length) return false;
  return candidate.length === 0 || timingSafeEqual(candidate, storedHash);
}

/**
 * A fresh 20-byte scramble for the handshake. Bytes are 1–127 without NUL (MySQL sends printable ASCII; part
 * 2 is NUL-terminated on the wire, so a NUL inside would cut it).
 */
export function generateScramble(): Buffer {
  const out = randomBytes(SCRAMBLE_LENGTH);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] % 127) + 1;
  return out;
}
