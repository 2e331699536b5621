import type { PacketWriter } from '../codec/packet-writer.js';
import { malformed, PayloadReader } from '../codec/payload-reader.js';
import { Capability } from '../constants.js';

/** The client's reply to the greeting (Protocol::HandshakeResponse41). */
export interface HandshakeResponse41 {
  readonly capabilities: number;
  readonly maxPacketSize: number;
  readonly charset: number;
  readonly user: string;
  readonly authData: Buffer;
  readonly database: string | null;
  readonly authPluginName: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Parses a HandshakeResponse41. Throws ER_MALFORMED_PACKET when a field runs past the payload; tolerates
 * clients that omit trailing optional fields.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_response.html
 */
export function decodeHandshakeResponse41(payload: Buffer): HandshakeResponse41 {
  const r = new PayloadReader(payload);
  const capabilities = r.u32();
  if (!(capabilities & Capability.PROTOCOL_41)) throw malformed('pre-4.1 clients are not supported');
  const maxPacketSize = r.u32();
  const charset = r.u8();
  r.bytes(23);
  const user = r.strNul();
  let authData: Buffer;
  if (capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) authData = r.lenencBytes();
  else if (capabilities & Capability.SECURE_CONNECTION) authData = r.bytes(r.u8());
  else authData = Buffer.from(r.strNul(), 'latin1');
  let database: string | null = null;
  if (capabilities & Capability.CONNECT_WITH_DB && r.remaining > 0) database = r.strNul(true) || null;
  let authPluginName = '';
  if (capabilities & Capability.PLUGIN_AUTH && r.remaining > 0) authPluginName = r.strNul(true);
  const attributes: Record<string, string> = {};
  if (capabilities & Capability.CONNECT_ATTRS && r.remaining > 0) {
    const len = r.lenenc() ?? 0;
    const end = r.pos + len;
    if (end > payload.length) throw malformed();
    while (r.pos < end) {
      const k = r.lenencStr();
      attributes[k] = r.lenencStr();
    }
  }
  return {
    capabilities,
    maxPacketSize,
    charset,
    user,
    authData: Buffer.from(authData),
    database,
    authPluginName,
    attributes,
  };
}

/** Writes a HandshakeResponse41 (used by tests acting as a client). */
export function writeHandshakeResponse41(w: PacketWriter, h: HandshakeResponse41): void {
  w.begin();
  w.u32(h.capabilities);
  w.u32(h.maxPacketSize);
  w.u8(h.charset);
  w.zeros(23);
  w.strNul(h.user);
  if (h.capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) w.lenencBytes(h.authData);
  else {
    w.u8(h.authData.length);
    w.bytes(h.authData);
  }
  if (h.capabilities & Capability.CONNECT_WITH_DB) w.strNul(h.database ?? '');
  if (h.capabilities & Capability.PLUGIN_AUTH) w.strNul(h.authPluginName);
  w.end();
}
