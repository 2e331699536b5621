import type { Cell } from '../../shared/index.js';
import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Writes one ProtocolText::ResultsetRow: each cell as a length-encoded string, NULL as 0xFB. Integers are
 * formatted digit by digit straight into the packet buffer; booleans as 1/0; BLOBs as raw bytes.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_row.html
 */
export function writeTextRow(w: PacketWriter, row: readonly Cell[], columnCount: number): void {
  w.begin();
  for (let i = 0; i < columnCount; i++) {
    const v = row[i];
    if (v === null || v === undefined) {
      w.ensure(1);
      w.buf[w.pos++] = 0xfb;
      continue;
    }
    switch (typeof v) {
      case 'number':
        if (Number.isSafeInteger(v)) w.lenencIntText(v);
        else w.lenencAscii(String(v));
        break;
      case 'string':
        w.lenencStr(v);
        break;
      case 'bigint':
        if (v >= MIN_SAFE && v <= MAX_SAFE) w.lenencIntText(Number(v));
        else w.lenencAscii(v.toString());
        break;
      case 'boolean':
        w.ensure(2);
        w.buf[w.pos] = 1;
        w.buf[w.pos + 1] = v ? 0x31 : 0x30;
        w.pos += 2;
        break;
      default:
        if (v instanceof Uint8Array) w.lenencBytes(v);
        else w.lenencStr(String(v));
    }
  }
  w.end();
}

/** Parses a text row into strings (null for NULL); for tests and tools. */
export function decodeTextRow(payload: Buffer, columnCount: number): (string | null)[] {
  const r = new PayloadReader(payload);
  const out: (string | null)[] = [];
  for (let i = 0; i < columnCount; i++) {
    if (payload[r.pos] === 0xfb) {
      r.u8();
      out.push(null);
    } else out.push(r.lenencStr());
  }
  return out;
}
