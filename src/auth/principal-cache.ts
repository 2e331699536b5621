import type { Catalog, GrantRecord } from '../catalog/index.js';

/** How long a user's admin flag and grants are cached (per query permission checks read them). */
export const DEFAULT_PERMISSION_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/** What permission checks need about a user. `exists: false` for dropped or unknown users. */
export interface Principal {
  readonly exists: boolean;
  readonly admin: boolean;
  readonly grants: readonly GrantRecord[];
}

/**
 * A short-lived cache of {@link Principal}s. Changes made through this server invalidate at once; changes
 * made by another server sharing the catalog are seen after at most `ttlMs`. A load that overlaps an
 * invalidation is not cached (so a revoke is never undone by a slow read that started before it).
 */
export class PrincipalCache {
  readonly #catalog: Catalog;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { expires: number; value: Promise<Principal> }>();
  #generation = 0;

  constructor(catalog: Catalog, ttlMs = DEFAULT_PERMISSION_CACHE_TTL_MS) {
    this.#catalog = catalog;
    this.#ttlMs = ttlMs;
  }

  get(user: string): Promise<Principal> {
    const now = Date.now();
    const hit = this.#entries.get(user);
    if (hit && hit.expires > now) return hit.value;
    const generation = this.#generation;
    const value = this.#load(user);
    if (this.#ttlMs > 0) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(user, { expires: now + this.#ttlMs, value });
      const forget = () => {
        if (this.#entries.get(user)?.value === value) this.#entries.delete(user);
      };
      value.then(() => {
        if (this.#generation !== generation) forget();
      }, forget);
    }
    return value;
  }

  async #load(user: string): Promise<Principal> {
    const [record, grants] = await Promise.all([this.#catalog.getUser(user), this.#catalog.listGrants(user)]);
    if (!record) return { exists: false, admin: false, grants: [] };
    return { exists: true, admin: record.admin, grants };
  }

  /** Forgets one user (or everyone). */
  invalidate(user?: string): void {
    this.#generation++;
    if (user === undefined) this.#entries.clear();
    else this.#entries.delete(user);
  }
}
