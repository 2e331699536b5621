/**
 * Users, credentials and permissions: MySQL `mysql_native_password` hashing and scramble checks, API tokens,
 * and the {@link AuthService} (bootstrap of `root`, users, grants, permission checks) over the catalog.
 */

export * from './errors.js';
export {
  generateScramble,
  nativePasswordHash,
  SCRAMBLE_LENGTH,
  verifyNativeScramble,
  verifyPassword,
} from './native.js';
export { checkPassword, generatePassword, MAX_PASSWORD_LENGTH } from './passwords.js';
export { DEFAULT_PERMISSION_CACHE_TTL_MS } from './principal-cache.js';
export {
  type AuthService,
  type AuthServiceOptions,
  createAuthService,
  MAX_TOKEN_LABEL_LENGTH,
  ROOT_USER,
  type TokenInfo,
} from './service.js';
export { formatGrants } from './show-grants.js';
export { generateToken, hashToken, isTokenShaped, TOKEN_PREFIX } from './tokens.js';
export type * from './types.js';
