import { createHash, timingSafeEqual } from 'node:crypto';
import { generateScramble as protocolScramble, verifyNativePassword } from '../mysql-protocol/index.js';

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
 * Checks a client's `mysql_native_password` response to `scramble` (the handshake nonce; a longer buffer is cut
 * to 20 bytes) against the stored SHA1(SHA1(password)) with the protocol module's algorithm (constant time).
 * An empty stored hash accepts only an empty response.
 */
export function verifyNativeScramble(storedHash: Buffer, scramble: Buffer, clientResponse: Buffer): boolean {
  if (storedHash.length === 0) return clientResponse.length === 0;
  if (scramble.length < SCRAMBLE_LENGTH) return false;
  return verifyNativePassword(clientResponse, scramble, storedHash);
}

/** Checks a clear password (HTTP basic auth) against the stored hash, in constant time. */
export function verifyPassword(storedHash: Buffer, password: string): boolean {
  const candidate = nativePasswordHash(password);
  if (candidate.length !== storedHash.length) return false;
  return candidate.length === 0 || timingSafeEqual(candidate, storedHash);
}

/** A fresh 20-byte scramble for the handshake (the protocol module's). */
export const generateScramble: () => Buffer = protocolScramble;
