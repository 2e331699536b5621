import type { ColumnMeta } from '../../shared/index.js';
import type { PacketWriter } from '../codec/packet-writer.js';
import { PayloadReader } from '../codec/payload-reader.js';
import { type MysqlColumnType, mysqlColumnType } from '../type-map.js';

/** A decoded column definition. */
export interface ColumnDefinition41 extends MysqlColumnType {
  readonly schema: string;
  readonly table: string;
  readonly orgTable: string;
  readonly name: string;
  readonly orgName: string;
}

/**
 * Writes Protocol::ColumnDefinition41 for a Lakecast column.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_query_response_text_resultset_column_definition.html
 */
export function writeColumnDefinition41(w: PacketWriter, col: ColumnMeta, t = mysqlColumnType(col)): void {
  w.begin();
  w.lenencStr('def');
  w.lenencStr(col.schema ?? '');
  w.lenencStr(col.table ?? '');
  w.lenencStr(col.table ?? '');
  w.lenencStr(col.name);
  w.lenencStr(col.name);
  w.u8(0x0c);
  w.u16(t.charset);
  w.u32(t.length);
  w.u8(t.type);
  w.u16(t.flags);
  w.u8(t.decimals);
  w.u16(0);
  w.end();
}

/** Parses a ColumnDefinition41 payload. */
export function decodeColumnDefinition41(payload: Buffer): ColumnDefinition41 {
  const r = new PayloadReader(payload);
  r.lenencStr();
  const schema = r.lenencStr();
  const table = r.lenencStr();
  const orgTable = r.lenencStr();
  const name = r.lenencStr();
  const orgName = r.lenencStr();
  r.lenenc();
  const charset = r.u16();
  const length = r.u32();
  const type = r.u8();
  const flags = r.u16();
  const decimals = r.u8();
  return { schema, table, orgTable, name, orgName, charset, length, type, flags, decimals };
}
