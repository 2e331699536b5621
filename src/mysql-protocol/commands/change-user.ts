import { malformed, PayloadReader } from '../codec/payload-reader.js';
import type { Connection } from '../connection.js';
import { Capability } from '../constants.js';
import { authenticate } from '../handshake.js';

/**
 * COM_CHANGE_USER: re-authenticates on the open connection (scramble of the greeting, auth switch when the
 * client used another plugin), closes the old session and prepared statements, opens a new session.
 * Failure answers ERR and closes the connection.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_change_user.html
 */
export async function comChangeUser(conn: Connection, payload: Buffer): Promise<boolean> {
  let user: string;
  let authData: Buffer;
  let database: string | null = null;
  let authPluginName = '';
  try {
    const r = new PayloadReader(payload, 1);
    user = r.strNul();
    authData = Buffer.from(
      conn.clientCapabilities & Capability.SECURE_CONNECTION
        ? r.bytes(r.u8())
        : Buffer.from(r.strNul(), 'latin1'),
    );
    if (r.remaining > 0) database = r.strNul(true) || null;
    if (r.remaining >= 2) r.u16(); // character set
    if (conn.clientCapabilities & Capability.PLUGIN_AUTH && r.remaining > 0) authPluginName = r.strNul(true);
  } catch {
    conn.sendErrorAndClose(malformed());
    return false;
  }
  const old = conn.session;
  conn.session = null;
  conn.statements.clear();
  if (old) await old.close().catch(() => {});
  return authenticate(conn, {
    user,
    authData,
    authPluginName,
    database,
    attributes: {},
    scramble: conn.scramble,
  });
}
