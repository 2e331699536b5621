import type tls from 'node:tls';
import type { MysqlServerEvents } from './events.js';
import type { ResolvedMysqlServerOptions } from './options.js';
import type { ParamType } from './packets/stmt-execute.js';

/** One received packet payload with the sequence id of its (last) physical packet. */
export interface Packet {
  readonly payload: Buffer;
  readonly seq: number;
}

/** A statement prepared on one connection (COM_STMT_PREPARE). */
export interface PreparedStatement {
  readonly id: number;
  readonly sql: string;
  readonly paramCount: number;
  /** Parameter types bound by the last execute that sent them (remembered across executes). */
  types: ParamType[] | null;
  /** COM_STMT_SEND_LONG_DATA chunks per parameter index. */
  longData: Map<number, Buffer[]>;
  longDataBytes: number;
  /** Long data went past maxPacketBytes: the next execute fails with 1210 instead of using a partial value. */
  longDataOverflow: boolean;
}

/** What a connection needs from its server. */
export interface ConnectionContext {
  readonly options: ResolvedMysqlServerOptions;
  readonly secureContext: tls.SecureContext | null;
  emit<K extends keyof MysqlServerEvents>(event: K, payload: MysqlServerEvents[K]): void;
  closed(conn: { readonly id: number }): void;
}
