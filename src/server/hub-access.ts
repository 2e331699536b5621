import type { AuthUser } from '../auth/types.js';

type HubAction = 'read' | 'write' | 'admin';

interface Permissions {
  hasPrivilege(
    user: AuthUser,
    schema: string,
    privilege: 'SELECT' | 'CREATE' | 'DROP' | 'ALL',
  ): Promise<boolean>;
}

/**
 * Hub permissions on top of the SQL grants: a hub project shares the grant namespace with schemas, so
 * `GRANT SELECT ON clicks.* TO u` lets `u` read project `clicks` and `GRANT ALL ON clicks.* TO u` lets it write
 * (append, commit offsets, join groups). Creating and deleting projects and topics is for admins.
 */
export function authorizeHub(auth: Permissions) {
  return async (user: AuthUser, project: string, action: HubAction): Promise<boolean> => {
    if (user.admin) return true;
    if (action === 'admin') return false;
    return auth.hasPrivilege(user, project, action === 'read' ? 'SELECT' : 'ALL');
  };
}
