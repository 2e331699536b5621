import { describe, expect, it } from 'vitest';
import { PrincipalCache } from '../../../src/auth/principal-cache.js';
import type { Catalog, GrantRecord } from '../../../src/catalog/index.js';

/** A catalog stub whose reads can be held open, to interleave a load with an invalidation. */
function stubCatalog() {
  let grants: GrantRecord[] = [];
  let gate: Promise<void> | null = null;
  let reads = 0;
  const catalog = {
    async getUser(name: string) {
      reads++;
      const snapshot = grants;
      if (gate) await gate;
      return { name, nativeHash: Buffer.alloc(20), admin: false, createdAt: new Date(), snapshot };
    },
    async listGrants() {
      const snapshot = grants;
      if (gate) await gate;
      return snapshot;
    },
  } as unknown as Catalog;
  return {
    catalog,
    setGrants: (g: GrantRecord[]) => {
      grants = g;
    },
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        gate = null;
        release();
      };
    },
    reads: () => reads,
  };
}

const select: GrantRecord = { user: 'u', schema: 'demo', privilege: 'SELECT' };

describe('permission cache', () => {
  it('cache - repeated lookups within the TTL read the catalog once', async () => {
    const s = stubCatalog();
    const cache = new PrincipalCache(s.catalog, 10_000);
    await Promise.all([cache.get('u'), cache.get('u'), cache.get('u')]);
    await cache.get('u');
    expect(s.reads()).toBe(1);
  });

  it('cache - a load overlapping an invalidation is not kept (a revoke is never undone)', async () => {
    const s = stubCatalog();
    const cache = new PrincipalCache(s.catalog, 10_000);
    s.setGrants([select]);
    const release = s.hold();
    const stale = cache.get('u'); // reads the grant, then waits
    s.setGrants([]); // revoke…
    cache.invalidate('u'); // …and invalidate while the load is in flight
    release();
    expect((await stale).grants).toEqual([select]);
    expect((await cache.get('u')).grants).toEqual([]);
  });

  it('cache - TTL 0 disables caching', async () => {
    const s = stubCatalog();
    const cache = new PrincipalCache(s.catalog, 0);
    await cache.get('u');
    await cache.get('u');
    expect(s.reads()).toBe(2);
  });
});
