import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every API token, so leaked tokens are recognizable by secret scanners. */
export const TOKEN_PREFIX = 'lc_';
// `lc_` + 32 random bytes in base64url (43 characters, no padding).
const TOKEN_SHAPE = /^lc_[A-Za-z0-9_-]{43}$/;

/** A new API token: `lc_` + 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** A token's public id (what users list and revoke). */
export function generateTokenId(): string {
  return `tok_${randomBytes(9).toString('base64url')}`;
}

/** SHA-256 of a token, lower-case hex: what the catalog stores and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether `value` has the shape of a Lakecast token (checked before any lookup). */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_SHAPE.test(value);
}
