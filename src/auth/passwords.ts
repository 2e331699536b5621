import { randomBytes } from 'node:crypto';
import { invalidPassword } from './errors.js';

/** Longest accepted password, in characters. */
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The password policy: a string of at most {@link MAX_PASSWORD_LENGTH} characters, not empty unless
 * `allowEmpty`. Throws LC_AUTH_INVALID_PASSWORD (errno 1819).
 */
export function checkPassword(password: unknown, options: { allowEmpty?: boolean } = {}): string {
  if (typeof password !== 'string') throw invalidPassword('password must be a string');
  if (password === '' && !options.allowEmpty) throw invalidPassword('password must not be empty');
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    throw invalidPassword(`password is longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

/** A strong random password (144 bits, 24 URL-safe characters) for the first `root`. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
