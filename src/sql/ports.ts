import type { AuthService } from '../auth/index.js';
import type { Catalog } from '../catalog/types.js';
import type { DuckDbEngine, Engine } from '../engine/index.js';

/**
 * What the SQL front needs from the engine, catalog and auth capabilities. Kept in one file so the front
 * adapts to those capabilities' interfaces in one place.
 */
export type SqlEngine = Engine &
  Pick<DuckDbEngine, 'ensureSchema' | 'dropSchema' | 'registerTable' | 'unregisterTable' | 'listPartitions'>;

export type SqlCatalog = Catalog;

/** Users and permissions (admin-only operations are enforced by the service: LC_AUTH_FORBIDDEN). */
export type SqlAuth = AuthService;
