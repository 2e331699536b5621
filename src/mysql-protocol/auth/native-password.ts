import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const sha1 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * A 20-byte scramble of printable-ish bytes without NUL or '$', as MySQL generates (some clients treat the
 * scramble as a C string).
 */
export function generateScramble(): Buffer {
  const b = randomBytes(20);
  for (let i = 0; i < b.length; i++) {
    let c = b[i] & 0x7f;
    if (c === 0 || c === 0x24) c += 1;
    b[i] = c;
  }
  return b;
}

/** The stored credential of mysql_native_password: SHA1(SHA1(password)). */
export function nativePasswordHash(password: string): Buffer {
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/** What a client sends for `password`: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). Empty → empty. */
export function scrambleNativePassword(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const mix = sha1(scramble, sha1(stage1));
  for (let i = 0; i < 20; i++) mix[i] ^= stage1[i];
  return mix;
}

const EMPTY_PASSWORD_HASH = nativePasswordHash('');

/**
 * Verifies a mysql_native_password response against the stored SHA1(SHA1(password)).
 * An empty response matches only an account without password (stored hash empty, or SHA1(SHA1(''))).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_authentication_methods_native_password_authentication.html
 */
export function verifyNativePassword(response: Buffer, scramble: Buffer, stored: Buffer): boolean {
  if (response.length === 0) return stored.length === 0 || stored.equals(EMPTY_PASSWORD_HASH);
  if (response.length !== 20 || stored.length !== 20) return false;
  // SHA1(password) = response XOR SHA1(scramble + stored); it must hash to stored.
  const mix = sha1(scramble.subarray(0, 20), stored);
  for (let i = 0; i < 20; i++) mix[i] ^= response[i];
  return timingSafeEqual(sha1(mix), stored);
}
