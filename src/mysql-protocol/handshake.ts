import { CommonErrors, LakecastError, toLakecastError } from '../shared/index.js';
import { generateScramble, verifyNativePassword } from './auth/native-password.js';
import type { Connection } from './connection.js';
import { Capability, CHARSET_UTF8MB4, NATIVE_PASSWORD_PLUGIN, SERVER_CAPABILITIES } from './constants.js';
import { MysqlProtocolErrors } from './errors.js';
import { writeAuthSwitchRequest } from './packets/auth-switch-request.js';
import { decodeHandshakeResponse41, type HandshakeResponse41 } from './packets/handshake-response41.js';
import { writeHandshakeV10 } from './packets/handshake-v10.js';
import type { ConnectionInfo } from './types.js';

/** Capabilities the server advertises on this listener. */
export function serverCapabilities(tls: boolean): number {
  return tls ? SERVER_CAPABILITIES | Capability.SSL : SERVER_CAPABILITIES;
}

function accessDenied(user: string, host: string, usedPassword: boolean): LakecastError {
  return new LakecastError(
    CommonErrors.UNAUTHENTICATED,
    `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? 'YES' : 'NO'})`,
  );
}

/**
 * The connection phase: greeting → [SSLRequest + TLS] → HandshakeResponse41 → [AuthSwitchRequest to
 * mysql_native_password when the client started with another plugin] → verify → open session → OK.
 * Resolves true when the connection is authenticated and has a session; false when it was refused (an ERR
 * was sent) or the client went away.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html
 */
export async function runHandshake(conn: Connection): Promise<boolean> {
  const { options } = conn.ctx;
  const scramble = generateScramble();
  const capabilities = serverCapabilities(conn.ctx.secureContext !== null);
  conn.writer.seq = 0;
  writeHandshakeV10(conn.writer, {
    serverVersion: options.serverVersion,
    connectionId: conn.id,
    scramble,
    capabilities,
    charset: CHARSET_UTF8MB4,
    statusFlags: conn.statusFlags,
    authPluginName: NATIVE_PASSWORD_PLUGIN,
  });
  await conn.flush();

  const connectTimeout = {
    ms: options.connectTimeoutSeconds * 1000,
    error: new LakecastError(MysqlProtocolErrors.MYSQL_BAD_HANDSHAKE, 'Bad handshake: connect timeout'),
  };
  const packet = await conn.nextPacket(connectTimeout);
  if (!packet) return false;
  conn.writer.seq = (packet.seq + 1) & 0xff;
  let response: HandshakeResponse41;
  try {
    response = decodeHandshakeResponse41(packet.payload);
  } catch {
    conn.sendErrorAndClose(new LakecastError(MysqlProtocolErrors.MYSQL_BAD_HANDSHAKE, 'Bad handshake'));
    return false;
  }
  conn.clientCapabilities = response.capabilities & capabilities;

  conn.scramble = scramble;
  return authenticate(conn, { ...response, scramble }, connectTimeout);
}

/** What a client presented to log in (handshake response or COM_CHANGE_USER). */
export interface Credentials {
  readonly user: string;
  readonly authData: Buffer;
  readonly authPluginName: string;
  readonly database: string | null;
  readonly attributes: Readonly<Record<string, string>>;
  /** The scramble `authData` was computed with. */
  readonly scramble: Buffer;
}

/**
 * Authenticates credentials (switching the client to mysql_native_password when it used another plugin),
 * opens a session and answers OK. On failure sends ERR (1045, or the openSession error) and closes.
 * Shared by the connection phase and COM_CHANGE_USER.
 */
export async function authenticate(
  conn: Connection,
  creds: Credentials,
  timeout?: { ms: number; error: LakecastError },
): Promise<boolean> {
  const { options } = conn.ctx;
  let authData = creds.authData;
  let authScramble = creds.scramble;
  const plugin = creds.authPluginName || NATIVE_PASSWORD_PLUGIN;
  if (plugin !== NATIVE_PASSWORD_PLUGIN || (authData.length !== 20 && authData.length !== 0)) {
    // caching_sha2_password (MySQL 8 clients), sha256_password, ed25519, …: ask for native password instead.
    authScramble = generateScramble();
    writeAuthSwitchRequest(conn.writer, NATIVE_PASSWORD_PLUGIN, authScramble);
    await conn.flush();
    const switched = await conn.nextPacket(timeout);
    if (!switched) return false;
    conn.writer.seq = (switched.seq + 1) & 0xff;
    authData = switched.payload;
  }

  let stored: Buffer | null;
  try {
    stored = await options.hooks.lookupNativeHash(creds.user);
  } catch (err) {
    // The credential store failed: say so (1105) rather than blame the password.
    if (!conn.closed) conn.sendErrorAndClose(toLakecastError(err));
    return false;
  }
  if (conn.closed) return false;
  if (stored === null || !verifyNativePassword(authData, authScramble, stored)) {
    conn.ctx.emit('auth:failed', {
      connectionId: conn.id,
      user: creds.user,
      remoteAddress: conn.remoteAddress,
    });
    conn.sendErrorAndClose(accessDenied(creds.user, conn.remoteAddress, authData.length > 0));
    return false;
  }

  const info: ConnectionInfo = {
    connectionId: conn.id,
    user: creds.user,
    database: creds.database,
    remoteAddress: conn.remoteAddress,
    tls: conn.tls,
    clientName: creds.attributes._client_name ?? creds.attributes.program_name,
  };
  try {
    conn.session = await options.hooks.openSession(info);
  } catch (err) {
    if (!conn.closed) {
      conn.writeError(err);
      conn.socket.end(conn.writer.take());
    }
    return false;
  }
  if (conn.closed) {
    await conn.session.close().catch(() => {});
    conn.session = null;
    return false;
  }
  conn.info = info;
  conn.enterCommandPhase();
  conn.writeOk();
  await conn.flush();
  conn.ctx.emit('connection:authenticated', { connectionId: conn.id, user: info.user, tls: conn.tls });
  return true;
}
