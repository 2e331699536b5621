import type { PacketWriter } from '../codec/packet-writer.js';

/**
 * Writes an EOF packet (0xFE, warnings, status flags).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_eof_packet.html
 */
export function writeEof(w: PacketWriter, statusFlags: number, warnings = 0): void {
  w.begin();
  w.u8(0xfe);
  w.u16(warnings);
  w.u16(statusFlags);
  w.end();
}

/** True for an EOF payload (0xFE and shorter than 9 bytes, so never a row). */
export function isEof(payload: Buffer): boolean {
  return payload[0] === 0xfe && payload.length < 9;
}
