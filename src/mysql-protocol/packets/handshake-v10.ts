import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

/** Fields of the initial handshake (Protocol::HandshakeV10). */
export interface HandshakeV10 {
  readonly serverVersion: string;
  readonly connectionId: number;
  /** 20-byte auth scramble (nonce). */
  readonly scramble: Buffer;
  readonly capabilities: number;
  readonly charset: number;
  readonly statusFlags: number;
  readonly authPluginName: string;
}

/**
 * Writes the server greeting.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_handshake_v10.html
 */
export function writeHandshakeV10(w: PacketWriter, h: HandshakeV10): void {
  w.begin();
  w.u8(10);
  w.strNul(h.serverVersion);
  w.u32(h.connectionId);
  w.bytes(h.scramble.subarray(0, 8));
  w.u8(0);
  w.u16(h.capabilities & 0xffff);
  w.u8(h.charset);
  w.u16(h.statusFlags);
  w.u16((h.capabilities >>> 16) & 0xffff);
  w.u8(h.scramble.length + 1);
  w.zeros(10);
  // part 2 is max(13, len - 8) bytes: the 12 remaining scramble bytes and a NUL.
  w.bytes(h.scramble.subarray(8));
  w.u8(0);
  w.strNul(h.authPluginName);
  w.end();
}

/** Parses a HandshakeV10 payload (used by tests and tools). */
export function decodeHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PayloadReader(payload);
  if (r.u8() !== 10) throw new Error('not a v10 handshake');
  const serverVersion = r.strNul();
  const connectionId = r.u32();
  const part1 = r.bytes(8);
  r.u8();
  let capabilities = r.u16();
  const charset = r.u8();
  const statusFlags = r.u16();
  capabilities |= r.u16() << 16;
  const authLen = r.u8();
  r.bytes(10);
  const part2 = r.bytes(Math.max(13, authLen - 8));
  const authPluginName = r.strNul(true);
  const scramble = Buffer.concat([part1, part2.subarray(0, part2.length - 1)]);
  return {
    serverVersion,
    connectionId,
    scramble,
    capabilities: capabilities >>> 0,
    charset,
    statusFlags,
    authPluginName,
  };
}
