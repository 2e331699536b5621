import { Readable } from 'node:stream';
import type { EngineResult, QueryOptions, QueryStats } from '../../../src/engine/types.js';
import { CommonErrors, LakecastError, type RowBatch } from '../../../src/shared/index.js';
import type { ByteRange, ObjectInfo, ObjectStore } from '../../../src/storage/types.js';

/** An in-memory ObjectStore that, like the real ones, makes an object visible only once its body ended. */
export class MemoryStore implements ObjectStore {
  readonly rootUri = 'mem://results/';
  readonly objects = new Map<string, Buffer>();
  uriOf(key: string): string {
    return this.rootUri + key;
  }
  async put(key: string, body: Readable | Buffer | string): Promise<{ size: number }> {
    let buf: Buffer;
    if (typeof body === 'string') buf = Buffer.from(body);
    else if (Buffer.isBuffer(body)) buf = body;
    else {
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(Buffer.from(c));
      buf = Buffer.concat(parts);
    }
    this.objects.set(key, buf);
    return { size: buf.length };
  }
  async get(key: string, options: { range?: ByteRange } = {}): Promise<Readable> {
    const b = this.objects.get(key);
    if (!b) throw new Error('not found');
    const { range } = options;
    return Readable.from([range ? b.subarray(range.start, range.end + 1) : b]);
  }
  async head(key: string): Promise<ObjectInfo | null> {
    const b = this.objects.get(key);
    return b ? { key, size: b.length, etag: '', lastModified: new Date() } : null;
  }
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, b] of [...this.objects].sort()) {
      if (key.startsWith(prefix)) yield { key, size: b.length, etag: '', lastModified: new Date() };
    }
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.objects.keys()]) if (key.startsWith(prefix)) this.objects.delete(key);
  }
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new LakecastError(CommonErrors.CANCELLED, 'query cancelled'));
      },
      { once: true },
    );
  });
}

/**
 * A scripted engine: `rows N` returns N rows (id, name); `slow N` yields one batch per 50 ms for N batches,
 * reporting progress; `fail` throws a syntax-like error. Records every query it ran.
 */
export function fakeEngine() {
  const ran: string[] = [];
  const active = new Set<string>();
  return {
    ran,
    active,
    async query(sql: string, options: QueryOptions = {}): Promise<EngineResult> {
      ran.push(sql);
      const stats: QueryStats = { rowsReturned: 0, scannedRows: 0, scannedBytes: 0, elapsedMs: 0 };
      const m = /^(rows|slow|fail)\s*(\d+)?/.exec(sql.trim());
      if (!m) throw new LakecastError(CommonErrors.BAD_REQUEST, `fake engine cannot run: ${sql}`);
      if (m[1] === 'fail')
        throw new LakecastError(CommonErrors.BAD_REQUEST, 'Parser Error: syntax error at "fail"');
      const n = Number(m[2] ?? 1);
      const { signal } = options;
      async function* batches(): AsyncGenerator<RowBatch> {
        active.add(sql);
        try {
          if (m![1] === 'rows') {
            const batch: RowBatch = [];
            for (let i = 0; i < n; i++) batch.push([i, i % 3 === 0 ? null : `name,"${i}"`]);
            stats.rowsReturned = n;
            stats.scannedRows = n;
            stats.scannedBytes = n * 10;
            if (n > 0) yield batch;
            return;
          }
          const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
          for (let i = 0; i < n; i++) {
            await abortable(50, signal);
            if (Date.now() > deadline) throw new LakecastError(CommonErrors.TIMEOUT, 'query timed out');
            options.onProgress?.(((i + 1) / n) * 100);
            stats.rowsReturned++;
            yield [[i, 'x']];
          }
        } finally {
          active.delete(sql);
        }
      }
      return {
        columns: [
          { name: 'id', type: 'INTEGER' },
          { name: 'name', type: 'VARCHAR' },
        ],
        batches: batches(),
        stats: () => stats,
        cancel: () => {},
      };
    },
  };
}
