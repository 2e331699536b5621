import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';

/** Fields of COM_STMT_PREPARE_OK. */
export interface StmtPrepareOk {
  readonly statementId: number;
  readonly columnCount: number;
  readonly paramCount: number;
  readonly warnings?: number;
}

/**
 * Writes COM_STMT_PREPARE_OK (followed by parameter and column definitions, written by the command).
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html
 */
export function writeStmtPrepareOk(w: PacketWriter, p: StmtPrepareOk): void {
  w.begin();
  w.u8(0);
  w.u32(p.statementId);
  w.u16(p.columnCount);
  w.u16(p.paramCount);
  w.u8(0);
  w.u16(p.warnings ?? 0);
  w.end();
}

/** Parses COM_STMT_PREPARE_OK. */
export function decodeStmtPrepareOk(payload: Buffer): Required<StmtPrepareOk> {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  const columnCount = r.u16();
  const paramCount = r.u16();
  r.u8();
  const warnings = r.remaining >= 2 ? r.u16() : 0;
  return { statementId, columnCount, paramCount, warnings };
}
