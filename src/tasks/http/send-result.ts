/**
 * Sends a result file the way every result route does (the owner's download and a result link): one byte range
 * with `If-Range`, `ETag` / `If-None-Match`, gzip for clients that accept it, and the download's headers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LakecastError } from '../../shared/index.js';
import { TaskErrors } from '../errors.js';
import type { OpenedResult, RangeRequest } from '../types.js';
import { gzipEtag, gzipStream, gzipWanted, isCompressible, type ResultGzip } from './encoding.js';
import { etagMatches, parseRangeHeader, resultEtag } from './range.js';

/** What {@link sendResult} needs: the task id the ETag names, the gzip mode, and how to open the file. */
export interface SendResultOptions {
  readonly etagId: string;
  readonly resultGzip: ResultGzip;
  /** Opens the file (checking who may read it), whole or `range` of it. */
  readonly open: (range?: RangeRequest) => Promise<OpenedResult>;
}

/** Answers `request` with a result file: 200, 206, 304, or the opener's error (416 with `Content-Range`). */
export async function sendResult(
  request: FastifyRequest,
  reply: FastifyReply,
  options: SendResultOptions,
): Promise<FastifyReply> {
  const etag = resultEtag(options.etagId);
  const h = request.headers;
  // If-Range: the range holds only for the file the client has part of (any other tag: send it whole).
  const range =
    h['if-range'] === undefined || etagMatches(h['if-range'], etag) ? parseRangeHeader(h.range) : null;
  const r = await options.open(range ?? undefined).catch((err: unknown) => {
    if ((err as LakecastError).code === TaskErrors.TASK_RANGE_NOT_SATISFIABLE.code)
      reply.header('content-range', `bytes */${(err as { size?: number }).size}`);
    throw err;
  });
  // gzip when the client accepts it, for text results sent whole (a range is of the file's own bytes).
  const compressible = isCompressible(r.contentType);
  const gzip =
    compressible &&
    !r.range &&
    gzipWanted(options.resultGzip, request.socket.remoteAddress, h['accept-encoding']);
  const tag = gzip ? gzipEtag(etag) : etag;
  reply.header('etag', tag);
  reply.header('accept-ranges', 'bytes');
  if (compressible) reply.header('vary', 'accept-encoding');
  if (etagMatches(h['if-none-match'], tag)) {
    r.body.destroy();
    return reply.code(304).send();
  }
  reply.header('content-type', r.contentType);
  reply.header('content-disposition', `attachment; filename="${r.fileName}"`);
  if (r.range) {
    reply.code(206);
    reply.header('content-range', `bytes ${r.range.start}-${r.range.end}/${r.range.size}`);
    reply.header('content-length', String(r.range.end - r.range.start + 1));
  } else if (gzip) {
    reply.header('content-encoding', 'gzip');
    return reply.send(gzipStream(r.body));
  } else if (r.task.result_file_size !== null) {
    reply.header('content-length', String(r.task.result_file_size));
  }
  return reply.send(r.body);
}
