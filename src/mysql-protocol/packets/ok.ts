import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

/** Fields of an OK packet. */
export interface OkPacket {
  readonly affectedRows?: number;
  readonly lastInsertId?: number;
  readonly statusFlags: number;
  readonly warnings?: number;
  readonly info?: string;
}

/**
 * Writes an OK packet (header 0x00; 0xFE when it terminates a result set under CLIENT_DEPRECATE_EOF).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_ok_packet.html
 */
export function writeOk(w: PacketWriter, ok: OkPacket, header: 0x00 | 0xfe = 0x00): void {
  w.begin();
  w.u8(header);
  w.lenenc(ok.affectedRows ?? 0);
  w.lenenc(ok.lastInsertId ?? 0);
  w.u16(ok.statusFlags);
  w.u16(ok.warnings ?? 0);
  // Length-encoded: what CLIENT_SESSION_TRACK clients (we advertise it) expect, and what libmariadb reads
  // in any case, although the manual documents string<EOF> for clients without CLIENT_SESSION_TRACK.
  if (ok.info) w.lenencStr(ok.info);
  w.end();
}

/** Parses an OK payload (header 0x00 or 0xFE). */
export function decodeOk(payload: Buffer): Required<OkPacket> {
  const r = new PayloadReader(payload, 1);
  const affectedRows = r.lenenc() ?? 0;
  const lastInsertId = r.lenenc() ?? 0;
  const statusFlags = r.u16();
  const warnings = r.u16();
  const info = r.remaining > 0 ? r.lenencStr() : '';
  return { affectedRows, lastInsertId, statusFlags, warnings, info };
}
