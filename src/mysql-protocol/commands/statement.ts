import { raceAbort, type StatementResult, toLakecastError } from '../../shared/index.js';
import type { Connection } from '../connection.js';
import { sendRows } from './result-set.js';

/**
 * The state machine shared by COM_QUERY and COM_STMT_EXECUTE: running → (OK | result set streaming →
 * EOF/OK | ERR) → idle. Handles aborts (KILL QUERY → ERR 1317, disconnect → stop silently), maps errors to
 * ERR packets and emits `query:finished`.
 */
export async function runStatement(
  conn: Connection,
  command: 'Query' | 'Execute',
  sql: string,
  binary: boolean,
  call: (signal: AbortSignal) => Promise<StatementResult>,
): Promise<void> {
  const signal = conn.beginStatement(command, sql);
  const started = performance.now();
  let rows = 0;
  let error: unknown;
  try {
    const pending = call(signal);
    let result: StatementResult;
    try {
      result = await raceAbort(pending, signal);
    } catch (err) {
      // A result that arrives after the abort must still be released.
      pending.then(
        (r) => {
          if (r.kind === 'rows') r.batches[Symbol.asyncIterator]().return?.();
        },
        () => {},
      );
      throw err;
    }
    if (result.kind === 'ok') {
      conn.writeOk({
        affectedRows: result.affectedRows,
        lastInsertId: result.lastInsertId,
        warnings: result.warnings,
        info: result.info,
      });
      await conn.flush();
    } else {
      const sent = await sendRows(conn, result, binary, signal);
      rows = sent.rows;
      error = sent.error;
    }
  } catch (err) {
    error = err;
    if (!conn.closed) {
      conn.writeError(err);
      await conn.flush();
    }
  } finally {
    conn.endStatement();
  }
  const e = error === undefined ? undefined : toLakecastError(error);
  conn.ctx.emit('query:finished', {
    connectionId: conn.id,
    command,
    durationMs: performance.now() - started,
    rows,
    errorCode: e?.code,
    errno: e?.errno,
  });
}
