import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

/**
 * Writes Protocol::AuthSwitchRequest: 0xFE, plugin name, plugin data (scramble + NUL for native password).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_auth_switch_request.html
 */
export function writeAuthSwitchRequest(w: PacketWriter, pluginName: string, scramble: Buffer): void {
  w.begin();
  w.u8(0xfe);
  w.strNul(pluginName);
  w.bytes(scramble);
  w.u8(0);
  w.end();
}

/** Parses an AuthSwitchRequest payload. */
export function decodeAuthSwitchRequest(payload: Buffer): { pluginName: string; data: Buffer } {
  const r = new PayloadReader(payload);
  if (r.u8() !== 0xfe) throw new Error('not an auth switch request');
  const pluginName = r.strNul();
  let data = r.rest();
  if (data.length > 0 && data[data.length - 1] === 0) data = data.subarray(0, data.length - 1);
  return { pluginName, data };
}
