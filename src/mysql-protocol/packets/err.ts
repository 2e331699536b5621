import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

/** Fields of an ERR packet. */
export interface ErrPacket {
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

/**
 * Writes an ERR packet (protocol 4.1: `#` + SQLSTATE).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_err_packet.html
 */
export function writeErr(w: PacketWriter, e: ErrPacket): void {
  w.begin();
  w.u8(0xff);
  w.u16(e.errno);
  w.u8(0x23);
  w.str(`${e.sqlState}HY000`.slice(0, 5));
  w.str(e.message);
  w.end();
}

/** Parses an ERR payload. */
export function decodeErr(payload: Buffer): ErrPacket {
  const r = new PayloadReader(payload, 1);
  const errno = r.u16();
  let sqlState = '';
  if (payload[r.pos] === 0x23) {
    r.u8();
    sqlState = r.bytes(5).toString('latin1');
  }
  return { errno, sqlState, message: r.rest().toString('utf8') };
}
