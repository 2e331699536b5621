import { LakecastError } from '../../shared/index.js';
import type { Connection } from '../connection.js';
import { Command } from '../constants.js';
import { MysqlProtocolErrors } from '../errors.js';
import { comChangeUser } from './change-user.js';
import {
  comStmtClose,
  comStmtExecute,
  comStmtPrepare,
  comStmtReset,
  comStmtSendLongData,
} from './prepared.js';
import { runStatement } from './statement.js';

/** Result of dispatching one command: keep reading commands, or close the connection. */
export type DispatchOutcome = 'continue' | 'close';

/**
 * Runs one command packet (sequence ids were reset by the caller). Unknown commands get ERR 1047 and the
 * connection stays open.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_command_phase.html
 */
export async function dispatchCommand(conn: Connection, payload: Buffer): Promise<DispatchOutcome> {
  const session = conn.session!;
  switch (payload[0]) {
    case Command.QUIT:
      return 'close';
    case Command.CHANGE_USER:
      return (await comChangeUser(conn, payload)) ? 'continue' : 'close';
    case Command.PING:
      conn.writeOk();
      break;
    case Command.QUERY: {
      const sql = payload.toString('utf8', 1);
      await runStatement(conn, 'Query', sql, false, (signal) => session.query(sql, signal));
      return 'continue';
    }
    case Command.INIT_DB:
      try {
        await session.useDatabase(payload.toString('utf8', 1));
        conn.writeOk();
      } catch (err) {
        conn.writeError(err);
      }
      break;
    case Command.FIELD_LIST:
      // Deprecated column listing used by old clients' tab completion: answer "no columns".
      conn.writeResultTerminator();
      break;
    case Command.STATISTICS: {
      const uptime = Math.floor((Date.now() - conn.startedAt.getTime()) / 1000);
      const w = conn.writer;
      w.begin();
      w.str(`Uptime: ${uptime}  Threads: 1  Questions: 0  Slow queries: 0  Opens: 0  Open tables: 0`);
      w.end();
      break;
    }
    case Command.STMT_PREPARE:
      await comStmtPrepare(conn, payload);
      return 'continue';
    case Command.STMT_EXECUTE:
      await comStmtExecute(conn, payload);
      return 'continue';
    case Command.STMT_SEND_LONG_DATA:
      comStmtSendLongData(conn, payload);
      return 'continue';
    case Command.STMT_CLOSE:
      comStmtClose(conn, payload);
      return 'continue';
    case Command.STMT_RESET:
      await comStmtReset(conn, payload);
      return 'continue';
    case Command.RESET_CONNECTION:
      conn.statements.clear();
      conn.writeOk();
      break;
    case Command.SET_OPTION:
      // Multi-statement on/off: accepted; MySQL answers with EOF.
      conn.writeResultTerminator();
      break;
    default:
      conn.writeError(new LakecastError(MysqlProtocolErrors.MYSQL_UNKNOWN_COMMAND, 'Unknown command'));
  }
  await conn.flush();
  return 'continue';
}
