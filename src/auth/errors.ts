import { accountForMessage } from '../catalog/index.js';
import { defineErrors, LakecastError } from '../shared/errors.js';

/**
 * The auth capability's error catalog (errnos and SQLSTATEs as MySQL sends them). Catalog errors
 * (LC_CATALOG_USER_EXISTS, LC_CATALOG_USER_NOT_FOUND, LC_CATALOG_INVALID_USER_NAME, …) pass through unchanged.
 */
export const AuthErrors = defineErrors({
  /** A non-admin tried an admin operation: ER_SPECIFIC_ACCESS_DENIED_ERROR. */
  AUTH_FORBIDDEN: { errno: 1227, sqlState: '42000', httpStatus: 403 },
  /** Wrong user or password (for callers that turn a failed authenticate* into an error): ER_ACCESS_DENIED_ERROR. */
  AUTH_ACCESS_DENIED: { errno: 1045, sqlState: '28000', httpStatus: 401 },
  /** Empty (when not allowed) or longer than 256 characters: ER_NOT_VALID_PASSWORD. */
  AUTH_INVALID_PASSWORD: { errno: 1819, sqlState: 'HY000', httpStatus: 400 },
  /** Dropping `root` or yourself, or taking `root`'s admin flag: ER_CANNOT_USER. */
  AUTH_PROTECTED_USER: { errno: 1396, sqlState: 'HY000', httpStatus: 400 },
  /** Revoking a token that does not exist or is not yours. */
  AUTH_TOKEN_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
});

/** `privilege` is what MySQL would name: `CREATE USER`, `GRANT OPTION`, … */
export const forbidden = (privilege = 'CREATE USER') =>
  new LakecastError(
    AuthErrors.AUTH_FORBIDDEN,
    `Access denied; you need (at least one of) the ${privilege} privilege(s) for this operation`,
  );

export const accessDenied = (user: string, usingPassword: boolean) =>
  new LakecastError(
    AuthErrors.AUTH_ACCESS_DENIED,
    `Access denied for user ${accountForMessage(user)} (using password: ${usingPassword ? 'YES' : 'NO'})`,
  );

export const invalidPassword = (reason: string) =>
  new LakecastError(
    AuthErrors.AUTH_INVALID_PASSWORD,
    `Your password does not satisfy the current policy requirements: ${reason}`,
  );

export const protectedUser = (operation: string, user: string, reason: string) =>
  new LakecastError(
    AuthErrors.AUTH_PROTECTED_USER,
    `Operation ${operation} failed for ${accountForMessage(user)}: ${reason}`,
  );
