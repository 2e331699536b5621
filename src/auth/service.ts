import {
  type Catalog,
  type GrantRecord,
  grantNotFound,
  invalidInput,
  normalizeGrantSchema,
  normalizeUserName,
  type Privilege,
  type TokenRecord,
} from '../catalog/index.js';
import { LakecastError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { AuthErrors, forbidden, protectedUser } from './errors.js';
import { nativePasswordHash, verifyNativeScramble, verifyPassword } from './native.js';
import { checkPassword, generatePassword } from './passwords.js';
import { DEFAULT_PERMISSION_CACHE_TTL_MS, type Principal, PrincipalCache } from './principal-cache.js';
import { formatGrants } from './show-grants.js';
import { generateToken, generateTokenId, hashToken, isTokenShaped } from './tokens.js';
import type { AuthUser } from './types.js';

/** The administrator created on first start. */
export const ROOT_USER = 'root';
export const MAX_TOKEN_LABEL_LENGTH = 128;

export interface AuthServiceOptions {
  readonly logger: Logger;
  /** How long permission lookups are cached; 0 disables. Default 5 s. */
  readonly cacheTtlMs?: number;
}

/** A token as listed to users: never its hash. */
export type TokenInfo = Omit<TokenRecord, 'tokenHash'>;

/**
 * Users, credentials and permissions over the catalog. Every method taking an `actor` checks that actor's
 * current rights (re-read from the catalog, cached briefly), not the flags of the `AuthUser` object passed.
 * Admins may do everything; others may change their own password, manage their own tokens and read their
 * own grants. Forbidden operations throw LC_AUTH_FORBIDDEN (1227, 42000).
 */
export interface AuthService {
  /**
   * Creates the admin `root` on first start, with `password` or else a generated strong one returned as
   * `generatedPassword` (print it once; it is not stored). When `root` exists, does nothing
   * (`created: false`). Safe when several servers start at once.
   */
  bootstrapRoot(
    password?: string,
    options?: { allowEmptyPassword?: boolean },
  ): Promise<{ created: boolean; generatedPassword?: string }>;
  /**
   * The principal named `name` as it is now (e.g. to open a session after the MySQL handshake checked the
   * scramble against {@link lookupNativeHash}), or null for unknown or invalid names. Never throws for bad input.
   */
  getUser(name: string): Promise<AuthUser | null>;
  /** The stored SHA1(SHA1(password)) for the MySQL handshake, or null for unknown/invalid user names. */
  lookupNativeHash(user: string): Promise<Buffer | null>;
  /** Checks a MySQL `mysql_native_password` response to `scramble`; the user, or null. */
  authenticateNative(user: string, scramble: Buffer, response: Buffer): Promise<AuthUser | null>;
  /** Checks a clear password (HTTP basic auth); the user, or null (never throws for bad input). */
  authenticatePassword(user: string, password: string): Promise<AuthUser | null>;
  /** Checks an API token (`lc_…`); the user, or null. */
  authenticateToken(token: string): Promise<AuthUser | null>;
  /** Creates an API token for `user` itself; the token is returned once and only its SHA-256 is stored. */
  createToken(user: AuthUser, label: string): Promise<{ id: string; token: string }>;
  /** Tokens of `user` (default: the actor's own; others' need admin). */
  listTokens(actor: AuthUser, user?: string): Promise<TokenInfo[]>;
  /** Deletes one of the actor's tokens (admins: anyone's). LC_AUTH_TOKEN_NOT_FOUND otherwise. */
  revokeToken(actor: AuthUser, id: string): Promise<void>;
  /** CREATE USER (admin only). Empty passwords need `allowEmptyPassword`. False when `ifNotExists` and it exists. */
  createUser(
    actor: AuthUser,
    name: string,
    password: string,
    options?: { admin?: boolean; allowEmptyPassword?: boolean; ifNotExists?: boolean },
  ): Promise<boolean>;
  /** ALTER USER: admins change anything but root's admin flag; others only their own password. */
  alterUser(
    actor: AuthUser,
    name: string,
    changes: { password?: string; admin?: boolean; allowEmptyPassword?: boolean },
  ): Promise<void>;
  /** DROP USER (admin only); never `root` nor the actor itself. False when `ifExists` and it is missing. */
  dropUser(actor: AuthUser, name: string, options?: { ifExists?: boolean }): Promise<boolean>;
  /** Every user (admin only). */
  listUsers(actor: AuthUser): Promise<Array<{ name: string; admin: boolean; createdAt: Date }>>;
  /** GRANT privilege ON schema.* TO user (admin only). `schema` may be `*`. */
  grant(actor: AuthUser, grant: GrantRecord): Promise<void>;
  /** REVOKE (admin only); LC_CATALOG_GRANT_NOT_FOUND (1141) when the user does not hold it. */
  revoke(actor: AuthUser, grant: GrantRecord): Promise<void>;
  /** SELECT on `schema`: admins, or SELECT/ALL on that schema or on `*`. False for unknown users/bad names. */
  canRead(user: AuthUser, schema: string): Promise<boolean>;
  /** CREATE (tables) in `schema`, or CREATE DATABASE `schema`: admins, or CREATE/ALL there or on `*`. */
  canCreate(user: AuthUser, schema: string): Promise<boolean>;
  /** DROP in `schema`: admins, or DROP/ALL there or on `*`. */
  canDrop(user: AuthUser, schema: string): Promise<boolean>;
  /** The general form of canRead/canCreate/canDrop (`ALL` needs an ALL grant). */
  hasPrivilege(user: AuthUser, schema: string, privilege: Privilege): Promise<boolean>;
  /** Grants of `user` (default: the actor's own; others' need admin). */
  listGrants(actor: AuthUser, user?: string): Promise<GrantRecord[]>;
  /** SHOW GRANTS [FOR user] lines, e.g. "GRANT SELECT ON `demo`.* TO 'u'@'%'". */
  showGrants(actor: AuthUser, user?: string): Promise<string[]>;
  /** Drops cached permissions (after changes made outside this service). */
  invalidate(user?: string): void;
}

/** Creates the {@link AuthService} over `catalog`. */
export function createAuthService(catalog: Catalog, options: AuthServiceOptions): AuthService {
  const { logger } = options;
  const cache = new PrincipalCache(catalog, options.cacheTtlMs ?? DEFAULT_PERMISSION_CACHE_TTL_MS);
  // Hashing a throw-away value for unknown users keeps their timing close to known users'.
  const decoy = nativePasswordHash('decoy-password');

  /** A user name we can look up, or null for names the catalog would refuse. */
  const validName = (name: unknown): string | null => {
    try {
      return normalizeUserName(name);
    } catch {
      return null;
    }
  };

  const nobody: Principal = { exists: false, admin: false, grants: [] };
  /** The actor's current rights; invalid names are nobody. */
  const principalOf = (actor: AuthUser): Promise<Principal> => {
    const name = validName(actor?.name);
    return name === null ? Promise.resolve(nobody) : cache.get(name);
  };

  async function requireAdmin(actor: AuthUser, privilege = 'CREATE USER'): Promise<void> {
    const p = await principalOf(actor);
    if (!p.exists || !p.admin) throw forbidden(privilege);
  }

  async function selfOrAdmin(actor: AuthUser, user: string | undefined, privilege: string): Promise<string> {
    const target = user === undefined ? actor.name : normalizeUserName(user);
    if (target !== actor.name) await requireAdmin(actor, privilege);
    return target;
  }

  async function hasPrivilege(user: AuthUser, schema: string, privilege: Privilege): Promise<boolean> {
    const name = validName(user?.name);
    if (name === null) return false;
    let s: string;
    try {
      s = normalizeGrantSchema(schema);
    } catch {
      return false;
    }
    const p = await cache.get(name);
    if (!p.exists) return false;
    if (p.admin) return true;
    return p.grants.some(
      (g) => (g.schema === s || g.schema === '*') && (g.privilege === privilege || g.privilege === 'ALL'),
    );
  }

  async function principalUser(name: string): Promise<AuthUser | null> {
    const p = await cache.get(name);
    return p.exists ? { name, admin: p.admin } : null;
  }

  return {
    async bootstrapRoot(password, opts = {}) {
      if (await catalog.getUser(ROOT_USER)) return { created: false };
      const generated = password === undefined ? generatePassword() : undefined;
      const pw = checkPassword(password ?? generated, { allowEmpty: opts.allowEmptyPassword });
      const created = await catalog.createUser(
        { name: ROOT_USER, nativeHash: nativePasswordHash(pw), admin: true },
        { ifNotExists: true },
      );
      cache.invalidate(ROOT_USER);
      if (!created) return { created: false }; // another server created it meanwhile
      logger.info({ user: ROOT_USER, generated: generated !== undefined }, 'auth: created the root user');
      return generated === undefined ? { created: true } : { created: true, generatedPassword: generated };
    },

    async getUser(name) {
      const n = validName(name);
      const record = n === null ? null : await catalog.getUser(n);
      return record ? { name: record.name, admin: record.admin } : null;
    },

    async lookupNativeHash(user) {
      const name = validName(user);
      if (name === null) return null;
      return (await catalog.getUser(name))?.nativeHash ?? null;
    },

    async authenticateNative(user, scramble, response) {
      const name = validName(user);
      const record = name === null ? null : await catalog.getUser(name);
      if (!record || !Buffer.isBuffer(scramble) || !Buffer.isBuffer(response)) return null;
      return verifyNativeScramble(record.nativeHash, scramble, response)
        ? { name: record.name, admin: record.admin }
        : null;
    },

    async authenticatePassword(user, password) {
      const name = validName(user);
      const record = name === null ? null : await catalog.getUser(name);
      if (typeof password !== 'string' || [...password].length > 256) return null;
      if (!record) {
        verifyPassword(decoy, password);
        return null;
      }
      return verifyPassword(record.nativeHash, password) ? { name: record.name, admin: record.admin } : null;
    },

    async authenticateToken(token) {
      if (!isTokenShaped(token)) return null;
      const record = await catalog.findTokenByHash(hashToken(token));
      if (!record) return null;
      return principalUser(record.user);
    },

    async createToken(user, label) {
      const name = normalizeUserName(user?.name);
      if (typeof label !== 'string' || label.length > MAX_TOKEN_LABEL_LENGTH) {
        throw invalidInput(`token label must be a string of at most ${MAX_TOKEN_LABEL_LENGTH} characters`);
      }
      const token = generateToken();
      const id = generateTokenId();
      await catalog.createToken({ id, user: name, tokenHash: hashToken(token), label });
      logger.info({ user: name, tokenId: id }, 'auth: created an API token');
      return { id, token };
    },

    async listTokens(actor, user) {
      const target = await selfOrAdmin(actor, user, 'CREATE USER');
      return (await catalog.listTokens(target)).map(({ tokenHash: _hash, ...info }) => info);
    },

    async revokeToken(actor, id) {
      const p = await principalOf(actor);
      const tokens = p.admin ? await catalog.listTokens() : await catalog.listTokens(actor.name);
      if (!p.exists || !tokens.some((t) => t.id === id)) {
        throw new LakecastError(AuthErrors.AUTH_TOKEN_NOT_FOUND, 'no such token');
      }
      await catalog.deleteToken(id);
    },

    async createUser(actor, name, password, opts = {}) {
      await requireAdmin(actor);
      const user = normalizeUserName(name);
      const pw = checkPassword(password, { allowEmpty: opts.allowEmptyPassword });
      const created = await catalog.createUser(
        { name: user, nativeHash: nativePasswordHash(pw), admin: opts.admin === true },
        { ifNotExists: opts.ifNotExists },
      );
      cache.invalidate(user);
      if (created) logger.info({ user, admin: opts.admin === true, by: actor.name }, 'auth: created a user');
      return created;
    },

    async alterUser(actor, name, changes) {
      const user = normalizeUserName(name);
      const self = user === actor.name;
      if (changes.admin !== undefined || !self) await requireAdmin(actor);
      else if (!(await principalOf(actor)).exists) throw forbidden();
      if (user === ROOT_USER && changes.admin === false) {
        throw protectedUser('ALTER USER', user, 'root stays an administrator');
      }
      const update: { nativeHash?: Buffer; admin?: boolean } = {};
      if (changes.password !== undefined) {
        update.nativeHash = nativePasswordHash(
          checkPassword(changes.password, { allowEmpty: changes.allowEmptyPassword }),
        );
      }
      if (changes.admin !== undefined) update.admin = changes.admin;
      await catalog.updateUser(user, update);
      cache.invalidate(user);
      logger.info({ user, by: actor.name, admin: changes.admin }, 'auth: altered a user');
    },

    async dropUser(actor, name, opts = {}) {
      await requireAdmin(actor);
      const user = normalizeUserName(name);
      if (user === ROOT_USER) throw protectedUser('DROP USER', user, 'root cannot be dropped');
      if (user === actor.name) throw protectedUser('DROP USER', user, 'you cannot drop yourself');
      const dropped = await catalog.dropUser(user, { ifExists: opts.ifExists });
      cache.invalidate(user);
      if (dropped) logger.info({ user, by: actor.name }, 'auth: dropped a user');
      return dropped;
    },

    async listUsers(actor) {
      await requireAdmin(actor);
      return (await catalog.listUsers()).map(({ name, admin, createdAt }) => ({ name, admin, createdAt }));
    },

    async grant(actor, grant) {
      await requireAdmin(actor, 'GRANT OPTION');
      await catalog.grant(grant);
      cache.invalidate(normalizeUserName(grant.user));
    },

    async revoke(actor, grant) {
      await requireAdmin(actor, 'GRANT OPTION');
      try {
        await catalog.revoke(grant);
      } finally {
        cache.invalidate(normalizeUserName(grant.user));
      }
    },

    canRead: (user, schema) => hasPrivilege(user, schema, 'SELECT'),
    canCreate: (user, schema) => hasPrivilege(user, schema, 'CREATE'),
    canDrop: (user, schema) => hasPrivilege(user, schema, 'DROP'),
    hasPrivilege,

    async listGrants(actor, user) {
      const target = await selfOrAdmin(actor, user, 'SELECT');
      return catalog.listGrants(target);
    },

    async showGrants(actor, user) {
      const target = await selfOrAdmin(actor, user, 'SELECT');
      const record = await catalog.getUser(target);
      if (!record) throw grantNotFound(target);
      return formatGrants(target, record.admin, await catalog.listGrants(target));
    },

    invalidate: (user) => cache.invalidate(user),
  };
}
