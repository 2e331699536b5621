import { type Cell, type RowsResult, raceAbort, toLakecastError } from '../../shared/index.js';
import type { PacketWriter } from '../codec/packet-writer.js';
import { type Connection, WRITTEN } from '../connection.js';
import { binaryRowEncoder } from '../packets/binary-row.js';
import { writeColumnDefinition41 } from '../packets/column-definition41.js';
import { writeTextRow } from '../packets/text-row.js';

/** Encoded bytes above which a batch is written out before it is fully encoded. */
const FLUSH_BYTES = 1024 * 1024;

/** Stops a result's iterator (interrupting the query) without waiting long for a stuck producer. */
function stopIterator(it: AsyncIterator<unknown>): Promise<void> {
  const done = Promise.resolve()
    .then(() => it.return?.())
    .then(
      () => {},
      () => {},
    );
  return Promise.race([done, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
}

/**
 * Streams a RowsResult: column count, column definitions, [EOF], rows (text for COM_QUERY, binary for
 * COM_STMT_EXECUTE), then EOF/OK. Each batch is encoded into one buffer and written with one
 * `socket.write`, waiting for 'drain' when the socket is full, so memory stays bounded by a batch (or 1 MiB
 * slices of a huge batch). On abort or a producer error after the header, an ERR packet replaces the
 * terminator; on disconnect the iterator is stopped. Returns the rows sent and the error, if any.
 */
export async function sendRows(
  conn: Connection,
  result: RowsResult,
  binary: boolean,
  signal: AbortSignal,
): Promise<{ rows: number; error?: unknown }> {
  const w: PacketWriter = conn.writer;
  const columns = result.columns;
  const n = columns.length;
  w.begin();
  w.lenenc(n);
  w.end();
  for (const col of columns) writeColumnDefinition41(w, col);
  if (!conn.deprecateEof) conn.writeResultTerminator();
  const encodeBinary = binary ? binaryRowEncoder(columns) : null;
  const it = result.batches[Symbol.asyncIterator]();
  let rows = 0;
  try {
    for (;;) {
      const next = await raceAbort(it.next(), signal);
      if (next.done) break;
      const batch: Cell[][] = next.value;
      for (let i = 0; i < batch.length; i++) {
        if (encodeBinary) encodeBinary(w, batch[i]);
        else writeTextRow(w, batch[i], n);
        if (w.pos >= FLUSH_BYTES) await raceAbort(conn.flush(), signal);
      }
      rows += batch.length;
      // A kill must not wait for a client that stopped reading: race the drain with the abort (when there
      // is one to wait for: raceAbort's listener costs a few µs per batch).
      const flushed = conn.flush();
      if (flushed !== WRITTEN) await raceAbort(flushed, signal);
    }
  } catch (err) {
    w.abort();
    await stopIterator(it);
    if (conn.closed) return { rows, error: err };
    conn.writeError(err);
    await conn.flush();
    return { rows, error: toLakecastError(err) };
  }
  conn.writeResultTerminator();
  await conn.flush();
  return { rows };
}
