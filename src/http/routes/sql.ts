import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { AuthUser } from '../../auth/types.js';
import { type RowsResult, type StatementResult, toLakecastError } from '../../shared/index.js';
import { rowToJson } from '../json-cells.js';

/** A SQL session as the HTTP API uses it (the SQL front's session satisfies this). */
export interface HttpSqlSession {
  query(sql: string, signal: AbortSignal): Promise<StatementResult>;
  close(): Promise<void>;
}

/** Opens SQL sessions for HTTP requests (one per request). */
export interface HttpSqlGateway {
  openSession(user: AuthUser, database: string | null, remoteAddress: string): Promise<HttpSqlSession>;
}

/** Largest SQL text accepted over HTTP. */
export const MAX_HTTP_SQL_BYTES = 1024 * 1024;

const bodySchema = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1, maxLength: MAX_HTTP_SQL_BYTES, description: 'One SQL statement' },
    database: { type: 'string', minLength: 1, maxLength: 256, description: 'Current database (as USE)' },
    format: { type: 'string', enum: ['json', 'ndjson'], default: 'json' },
  },
} as const;

interface SqlBody {
  sql: string;
  database?: string;
  format?: 'json' | 'ndjson';
}

async function* jsonBody(result: RowsResult, done: () => Promise<void>): AsyncGenerator<string> {
  const columns = result.columns.map((c) => ({ name: c.name, type: c.type }));
  yield `{"columns":${JSON.stringify(columns)},"rows":[`;
  let count = 0;
  let tail = '';
  try {
    for await (const batch of result.batches) {
      let chunk = '';
      for (const row of batch) chunk += (count++ === 0 ? '' : ',') + rowToJson(row);
      yield chunk;
    }
    tail = `],"rowCount":${count}}`;
  } catch (err) {
    // Rows were already sent with status 200: the error travels in the body, after the rows received so far.
    tail = `],"rowCount":${count},"error":${JSON.stringify(toLakecastError(err).toJSON())}}`;
  } finally {
    await done();
  }
  yield tail;
}

async function* ndjsonBody(result: RowsResult, done: () => Promise<void>): AsyncGenerator<string> {
  yield `${JSON.stringify({ columns: result.columns.map((c) => ({ name: c.name, type: c.type })) })}\n`;
  try {
    for await (const batch of result.batches) {
      let chunk = '';
      for (const row of batch) chunk += `${rowToJson(row)}\n`;
      yield chunk;
    }
  } catch (err) {
    yield `${JSON.stringify({ error: toLakecastError(err).toJSON() })}\n`;
  } finally {
    await done();
  }
}

/**
 * `POST /v1/sql`: runs one statement synchronously and streams the result as JSON
 * (`{columns, rows, rowCount[, error]}`) or NDJSON (a header line, then one array per row). The client going
 * away cancels the query.
 */
export function sqlRoutes(gateway: HttpSqlGateway): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: SqlBody }>(
      '/sql',
      {
        schema: {
          summary: 'Run one SQL statement synchronously',
          tags: ['sql'],
          body: bodySchema,
          security: [{ basicAuth: [] }, { bearerAuth: [] }],
        },
      },
      async (request, reply) => {
        const session = await gateway.openSession(
          request.lakecastUser,
          request.body.database ?? null,
          request.ip,
        );
        const controller = new AbortController();
        reply.raw.on('close', () => {
          if (!reply.raw.writableFinished) controller.abort();
        });
        let result: StatementResult;
        try {
          result = await session.query(request.body.sql, controller.signal);
        } catch (err) {
          await session.close();
          throw err;
        }
        if (result.kind === 'ok') {
          await session.close();
          return {
            columns: [],
            rows: [],
            rowCount: 0,
            affectedRows: result.affectedRows ?? 0,
            info: result.info ?? '',
          };
        }
        const done = () => session.close();
        if (request.body.format === 'ndjson') {
          reply.type('application/x-ndjson');
          return reply.send(Readable.from(ndjsonBody(result, done)));
        }
        reply.type('application/json; charset=utf-8');
        return reply.send(Readable.from(jsonBody(result, done)));
      },
    );
  };
}
