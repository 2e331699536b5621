import { LakecastError, toLakecastError } from '../../shared/index.js';
import type { Connection, PreparedStatement } from '../connection.js';
import { MysqlProtocolErrors } from '../errors.js';
import { writeColumnDefinition41 } from '../packets/column-definition41.js';
import { decodeStmtExecute, readStatementId } from '../packets/stmt-execute.js';
import { writeStmtPrepareOk } from '../packets/stmt-prepare-ok.js';
import { runStatement } from './statement.js';

/** max_prepared_stmt_count of MySQL, applied per connection. */
const MAX_PREPARED_STATEMENTS = 16_382;

function unknownStatement(id: number, command: string): LakecastError {
  return new LakecastError(
    MysqlProtocolErrors.MYSQL_UNKNOWN_STATEMENT,
    `Unknown prepared statement handler (${id}) given to ${command}`,
  );
}

/**
 * COM_STMT_PREPARE → `session.prepare`; answers PREPARE_OK, one VAR_STRING placeholder definition per
 * parameter, the known result columns, with EOFs unless CLIENT_DEPRECATE_EOF.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_prepare.html
 */
export async function comStmtPrepare(conn: Connection, payload: Buffer): Promise<void> {
  const sql = payload.toString('utf8', 1);
  const started = performance.now();
  conn.beginStatement('Prepare', sql);
  let error: LakecastError | undefined;
  try {
    if (conn.statements.size >= MAX_PREPARED_STATEMENTS) {
      throw new LakecastError(
        MysqlProtocolErrors.MYSQL_TOO_MANY_STATEMENTS,
        `Can't create more than max_prepared_stmt_count statements (current value: ${MAX_PREPARED_STATEMENTS})`,
      );
    }
    const info = await conn.session!.prepare(sql);
    const stmt: PreparedStatement = {
      id: conn.nextStatementId++,
      sql,
      paramCount: info.paramCount,
      types: null,
      longData: new Map(),
      longDataBytes: 0,
      longDataOverflow: false,
    };
    conn.statements.set(stmt.id, stmt);
    const w = conn.writer;
    writeStmtPrepareOk(w, {
      statementId: stmt.id,
      columnCount: info.columns.length,
      paramCount: info.paramCount,
    });
    if (info.paramCount > 0) {
      for (let i = 0; i < info.paramCount; i++) writeColumnDefinition41(w, { name: '?', type: 'VARCHAR' });
      if (!conn.deprecateEof) conn.writeResultTerminator();
    }
    if (info.columns.length > 0) {
      for (const col of info.columns) writeColumnDefinition41(w, col);
      if (!conn.deprecateEof) conn.writeResultTerminator();
    }
  } catch (err) {
    error = toLakecastError(err);
    conn.writer.pos = 0;
    conn.writeError(error);
  } finally {
    conn.endStatement();
  }
  await conn.flush();
  conn.ctx.emit('query:finished', {
    connectionId: conn.id,
    command: 'Prepare',
    durationMs: performance.now() - started,
    rows: 0,
    errorCode: error?.code,
    errno: error?.errno,
  });
}

/**
 * COM_STMT_EXECUTE: decodes the binary parameters (types remembered across executes, long data merged),
 * runs `session.execute` and answers with binary rows. Unknown id → ERR 1243; bad parameters → ERR 1210.
 */
export async function comStmtExecute(conn: Connection, payload: Buffer): Promise<void> {
  let stmt: PreparedStatement | undefined;
  let values: import('../../shared/index.js').Cell[];
  try {
    const id = readStatementId(payload);
    stmt = conn.statements.get(id);
    if (!stmt) throw unknownStatement(id, 'mysqld_stmt_execute');
    if (stmt.longDataOverflow) {
      throw new LakecastError(
        MysqlProtocolErrors.MYSQL_WRONG_ARGUMENTS,
        "Parameter data sent with COM_STMT_SEND_LONG_DATA is longer than 'max_allowed_packet' bytes",
      );
    }
    const longData = new Map<number, Buffer>();
    for (const [i, chunks] of stmt.longData) longData.set(i, Buffer.concat(chunks));
    const decoded = decodeStmtExecute(payload, stmt.paramCount, stmt.types, longData);
    stmt.types = [...decoded.types];
    values = decoded.values;
  } catch (err) {
    conn.writeError(err);
    await conn.flush();
    return;
  } finally {
    if (stmt) {
      stmt.longData.clear();
      stmt.longDataBytes = 0;
      stmt.longDataOverflow = false;
    }
  }
  const s = stmt;
  await runStatement(conn, 'Execute', s.sql, true, (signal) => conn.session!.execute(s.sql, values, signal));
}

/** COM_STMT_SEND_LONG_DATA: appends to a parameter's value; never answered (errors surface at execute). */
export function comStmtSendLongData(conn: Connection, payload: Buffer): void {
  if (payload.length < 7) return;
  const stmt = conn.statements.get(payload.readUInt32LE(1));
  if (!stmt) return;
  const param = payload.readUInt16LE(5);
  if (param >= stmt.paramCount) return;
  const data = Buffer.from(payload.subarray(7));
  stmt.longDataBytes += data.length;
  if (stmt.longDataOverflow) return;
  if (stmt.longDataBytes > conn.ctx.options.maxPacketBytes) {
    // Too much long data: drop it (memory stays bounded) and fail the next execute.
    stmt.longData.clear();
    stmt.longDataOverflow = true;
    return;
  }
  const chunks = stmt.longData.get(param);
  if (chunks) chunks.push(data);
  else stmt.longData.set(param, [data]);
}

/** COM_STMT_CLOSE: forgets the statement; never answered. */
export function comStmtClose(conn: Connection, payload: Buffer): void {
  if (payload.length >= 5) conn.statements.delete(payload.readUInt32LE(1));
}

/** COM_STMT_RESET: drops accumulated long data; OK, or ERR 1243 for an unknown id. */
export async function comStmtReset(conn: Connection, payload: Buffer): Promise<void> {
  const id = payload.length >= 5 ? payload.readUInt32LE(1) : -1;
  const stmt = conn.statements.get(id);
  if (!stmt) conn.writeError(unknownStatement(id, 'mysqld_stmt_reset'));
  else {
    stmt.longData.clear();
    stmt.longDataBytes = 0;
    stmt.longDataOverflow = false;
    conn.writeOk();
  }
  await conn.flush();
}
