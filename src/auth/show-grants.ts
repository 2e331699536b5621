import type { GrantRecord, Privilege } from '../catalog/index.js';
import { accountForMessage } from '../catalog/index.js';

const ORDER: readonly Privilege[] = ['SELECT', 'CREATE', 'DROP'];

const quoteIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const level = (schema: string) => (schema === '*' ? '*.*' : `${quoteIdent(schema)}.*`);

function privilegeList(privileges: Set<Privilege>): string {
  if (privileges.has('ALL')) return 'ALL PRIVILEGES';
  return ORDER.filter((p) => privileges.has(p)).join(', ');
}

/**
 * SHOW GRANTS lines as MySQL prints them: the global line first (`USAGE` when there is no global privilege,
 * admins get `ALL PRIVILEGES … WITH GRANT OPTION`), then one line per schema, sorted.
 */
export function formatGrants(user: string, admin: boolean, grants: readonly GrantRecord[]): string[] {
  const account = accountForMessage(user);
  const bySchema = new Map<string, Set<Privilege>>();
  for (const g of grants) {
    if (!bySchema.has(g.schema)) bySchema.set(g.schema, new Set());
    bySchema.get(g.schema)?.add(g.privilege);
  }
  const global = bySchema.get('*');
  const lines = [
    admin
      ? `GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION`
      : `GRANT ${global ? privilegeList(global) : 'USAGE'} ON *.* TO ${account}`,
  ];
  for (const schema of [...bySchema.keys()].filter((s) => s !== '*').sort()) {
    lines.push(`GRANT ${privilegeList(bySchema.get(schema) ?? new Set())} ON ${level(schema)} TO ${account}`);
  }
  return lines;
}
