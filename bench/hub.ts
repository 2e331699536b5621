/**
 * Hub benchmark: `npm run bench -- hub` (or `npx tsx bench/hub.ts`). Appends and reads 100-byte and 1 KiB
 * records in batches through the embedded log (fsync per batch, fsync every 100 ms), in process and over
 * HTTP, next to NATS JetStream (file storage, async publish) and Redis Streams (pipelined XADD) on this
 * machine, in the same run. Each figure is the median of REPEATS runs. Reference systems are skipped (with a
 * note) when their server is not reachable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeliverPolicy, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, createInbox } from '@nats-io/transport-node';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { AuthUser } from '../src/auth/types.js';
import { STRICT_SCHEMAS } from '../src/http/index.js';
import { type DurabilityPolicy, type Hub, HubClient, hubRoutes, openEmbeddedHub } from '../src/hub/index.js';

const REPEATS = Number(process.env.HUB_BENCH_REPEATS ?? 3);
/** One run of one system may not take longer than this (keeps the whole benchmark bounded). */
const RUN_DEADLINE_MS = 30_000;

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
const SHARDS = 4;
const CONCURRENCY = 4;

interface Case {
  readonly recordBytes: number;
  readonly batch: number;
  readonly total: number;
}

const CASES: Case[] = [
  { recordBytes: 100, batch: 1000, total: 200_000 },
  { recordBytes: 1024, batch: 500, total: 50_000 },
];

interface Figures {
  appendRecordsPerS: number;
  appendMiBPerS: number;
  appendBatchP50Ms: number;
  appendBatchP99Ms: number;
  readRecordsPerS: number;
  readMiBPerS: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** Rounds a case to whole batches (scaled-down runs divide the totals). */
const whole = (c: Case): Case => ({ ...c, total: Math.max(1, Math.round(c.total / c.batch)) * c.batch });

function summarize(runs: Figures[]): Figures {
  const k = Object.keys(runs[0]) as (keyof Figures)[];
  return Object.fromEntries(
    k.map((key) => [key, round(median(runs.map((r) => r[key])), key.endsWith('Ms') ? 2 : 0)]),
  ) as unknown as Figures;
}

function figures(c: Case, appendMs: number, lat: number[], readMs: number, readCount: number): Figures {
  const mib = (c.recordBytes * c.total) / 2 ** 20;
  return {
    appendRecordsPerS: c.total / (appendMs / 1000),
    appendMiBPerS: mib / (appendMs / 1000),
    appendBatchP50Ms: pct(lat, 50),
    appendBatchP99Ms: pct(lat, 99),
    readRecordsPerS: readCount / (readMs / 1000),
    readMiBPerS: (readCount * c.recordBytes) / 2 ** 20 / (readMs / 1000),
  };
}

/** Runs `batches` batch appends with CONCURRENCY workers; returns elapsed ms and per-batch latencies. */
async function drive(
  batches: number,
  appendOne: (i: number) => Promise<void>,
): Promise<{ ms: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= batches) return;
        const s = performance.now();
        await appendOne(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  return { ms: performance.now() - t0, lat };
}

async function hubRun(hub: Hub, c0: Case): Promise<Figures> {
  const c = whole(c0);
  const project = `b${randomBytes(3).toString('hex')}`;
  await hub.createProject({ name: project });
  await hub.createTopic(project, { name: 't', shardCount: SHARDS, lifecycleDays: 1, recordType: 'BLOB' });
  const payload = randomBytes(c.recordBytes);
  const batches = c.total / c.batch;
  // Each batch goes to one shard (as a producer with a partition key would), spread over the shards.
  const prepared = Array.from({ length: SHARDS }, (_, s) =>
    Array.from({ length: c.batch }, () => ({ data: payload, shardId: s })),
  );
  const { ms, lat } = await drive(batches, async (i) => {
    const r = await hub.appendRecords(project, 't', prepared[i % SHARDS]);
    if (r.failedCount > 0) throw new Error('append failed');
  });
  const t1 = performance.now();
  let read = 0;
  await Promise.all(
    Array.from({ length: SHARDS }, async (_, s) => {
      let { cursor } = await hub.getCursor(project, 't', s, { type: 'OLDEST' });
      for (;;) {
        const r = await hub.getRecords(project, 't', s, { cursor, limit: 1000 });
        if (r.records.length === 0) break;
        read += r.records.length;
        cursor = r.nextCursor;
      }
    }),
  );
  const readMs = performance.now() - t1;
  if (read !== c.total) throw new Error(`read ${read} of ${c.total}`);
  await hub.deleteTopic(project, 't');
  await hub.deleteProject(project);
  return figures(c, ms, lat, readMs, read);
}

async function embedded(durability: DurabilityPolicy, c: Case, overHttp: boolean): Promise<Figures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lakecast-hub-bench-'));
  const hub = await openEmbeddedHub({ dir, durability, retentionCheckMs: 0 });
  try {
    if (!overHttp) return await hubRun(hub, c);
    const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, ajv: STRICT_SCHEMAS });
    app.decorateRequest('lakecastUser', null as unknown as AuthUser);
    app.addHook('onRequest', async (req) => {
      req.lakecastUser = { name: 'bench', admin: true };
    });
    await app.register(hubRoutes, { prefix: '/v1/hub', hub, authorize: async () => true });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      return await hubRun(new HubClient({ baseUrl: `${url}/v1/hub` }), c);
    } finally {
      await app.close();
    }
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * JetStream reference. `raw`: PublishAsync as the Go client does it — every message published with a reply
 * subject under one shared inbox, PubAcks counted as they arrive (the fastest a Node client can drive it).
 * `api`: the official `js.publish()` (one request per message, a whole batch in flight).
 */
async function jetstream(c0: Case, mode: 'raw' | 'api'): Promise<Figures> {
  const c = whole(c0);
  const nc = await connect({ servers: process.env.LAKECAST_BENCH_NATS ?? '127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  const name = `LCBENCH_${randomBytes(3).toString('hex')}`;
  await jsm.streams.add({ name, subjects: [`${name}.*`], storage: StorageType.File });
  try {
    const payload = randomBytes(c.recordBytes);
    const { ms, lat } = await drive(c.total / c.batch, async (i) => {
      const subj = `${name}.${i % SHARDS}`;
      if (mode === 'api') {
        await Promise.all(Array.from({ length: c.batch }, () => js.publish(subj, payload)));
        return;
      }
      const inbox = createInbox();
      await new Promise<void>((resolve, reject) => {
        let acks = 0;
        const sub = nc.subscribe(`${inbox}.*`, {
          callback: (err, m) => {
            if (err || m.data.length === 0 || (m.json() as { error?: unknown }).error) {
              sub.unsubscribe();
              reject(err ?? new Error(`publish failed: ${m.string()}`));
              return;
            }
            if (++acks === c.batch) {
              sub.unsubscribe();
              resolve();
            }
          },
        });
        for (let k = 0; k < c.batch; k++) nc.publish(subj, payload, { reply: `${inbox}.${k}` });
      });
    });
    const t1 = performance.now();
    let read = 0;
    await Promise.all(
      Array.from({ length: SHARDS }, async (_, s) => {
        const consumer = await js.consumers.get(name, {
          filter_subjects: `${name}.${s}`,
          deliver_policy: DeliverPolicy.All,
        });
        // Batch i went to shard i mod SHARDS.
        const batches = c.total / c.batch;
        const want = (Math.floor(batches / SHARDS) + (s < batches % SHARDS ? 1 : 0)) * c.batch;
        let got = 0;
        while (got < want) {
          const iter = await consumer.fetch({ max_messages: Math.min(1000, want - got), expires: 5000 });
          for await (const _m of iter) got++;
        }
        read += got;
      }),
    );
    return figures(c, ms, lat, performance.now() - t1, read);
  } finally {
    await jsm.streams.delete(name);
    await nc.close();
  }
}

async function redisStreams(c0: Case): Promise<Figures> {
  const c = whole(c0);
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const key = `lcbench:${randomBytes(3).toString('hex')}`;
  try {
    const payload = randomBytes(c.recordBytes);
    const { ms, lat } = await drive(c.total / c.batch, async (i) => {
      const p = redis.pipeline();
      for (let k = 0; k < c.batch; k++) p.xadd(`${key}:${i % SHARDS}`, '*', 'd', payload);
      await p.exec();
    });
    const t1 = performance.now();
    let read = 0;
    await Promise.all(
      Array.from({ length: SHARDS }, async (_, s) => {
        let start = '-';
        for (;;) {
          const rows = await redis.xrangeBuffer(`${key}:${s}`, start, '+', 'COUNT', 1000);
          if (rows.length === 0) break;
          read += rows.length;
          start = `(${rows[rows.length - 1][0].toString()}`;
        }
      }),
    );
    return figures(c, ms, lat, performance.now() - t1, read);
  } finally {
    for (let s = 0; s < SHARDS; s++) await redis.del(`${key}:${s}`);
    redis.disconnect();
  }
}

async function reachable(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Runs every system on every record size, REPEATS times, and returns medians and ratios. */
export async function run(): Promise<object> {
  const started = Date.now();
  // Other work on the machine moves these figures a lot (2 shared cores here): record the load.
  const loadBefore = os.loadavg().map((x) => round(x, 2));
  const systems: Record<string, (c: Case) => Promise<Figures>> = {
    'embedded, fsync every 100 ms, in-process': (c) =>
      embedded({ mode: 'interval', intervalMs: 100 }, c, false),
    'embedded, fsync per batch, in-process': (c) => embedded({ mode: 'batch' }, c, false),
    'embedded, fsync every 100 ms, HTTP': (c) =>
      embedded({ mode: 'interval', intervalMs: 100 }, { ...c, total: c.total / 4 }, true),
    'NATS JetStream (file, async publish)': (c) => jetstream(c, 'raw'),
    // The official js.publish() is ~5x slower here (a request per message); fewer records keep the run short.
    'NATS JetStream (file, js.publish API)': (c) => jetstream({ ...c, total: c.total / 10 }, 'api'),
    'Redis Streams (pipelined XADD)': redisStreams,
  };
  const skipped: Record<string, string> = {};
  const natsDown = await reachable(async () =>
    (await connect({ servers: '127.0.0.1:4222', timeout: 1000 })).close(),
  );
  if (natsDown) {
    skipped['NATS JetStream (file, async publish)'] = natsDown;
    skipped['NATS JetStream (file, js.publish API)'] = natsDown;
  }
  const redisDown = await reachable(async () => {
    const r = new Redis({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await r.connect();
    r.disconnect();
  });
  if (redisDown) skipped['Redis Streams (pipelined XADD)'] = redisDown;

  const results: Record<string, Record<string, Figures>> = {};
  for (const c of CASES) {
    const label = `${c.recordBytes} B records, batches of ${c.batch}`;
    results[label] = {};
    for (const [name, fn] of Object.entries(systems)) {
      if (skipped[name]) continue;
      const runs: Figures[] = [];
      try {
        // A discarded warm-up run (a quarter of the records) so no system is measured with a cold JIT.
        await withDeadline(fn({ ...c, total: c.total / 4 }), RUN_DEADLINE_MS, `${name} ${label} warm-up`);
        for (let r = 0; r < REPEATS; r++) {
          process.stderr.write(`  run ${r + 1}/${REPEATS}: ${name}, ${label}\n`);
          runs.push(await withDeadline(fn(c), RUN_DEADLINE_MS, `${name} ${label}`));
        }
      } catch (err) {
        skipped[`${name} / ${label}`] = (err as Error).message;
        console.log(`${label.padEnd(34)} ${name.padEnd(44)} FAILED: ${(err as Error).message}`);
        continue;
      }
      results[label][name] = summarize(runs);
      const f = results[label][name];
      console.log(
        `${label.padEnd(34)} ${name.padEnd(44)} append ${String(f.appendRecordsPerS).padStart(9)} rec/s ${String(f.appendMiBPerS).padStart(6)} MiB/s p50 ${f.appendBatchP50Ms} ms p99 ${f.appendBatchP99Ms} ms | read ${String(f.readRecordsPerS).padStart(9)} rec/s ${f.readMiBPerS} MiB/s`,
      );
    }
  }
  const ratios: Record<string, Record<string, number>> = {};
  for (const [label, byName] of Object.entries(results)) {
    const base = byName['embedded, fsync every 100 ms, in-process'];
    if (!base) continue;
    const js = byName['NATS JetStream (file, async publish)'];
    const rd = byName['Redis Streams (pipelined XADD)'];
    ratios[label] = {
      ...(js
        ? {
            appendVsJetStream: round(base.appendRecordsPerS / js.appendRecordsPerS, 2),
            readVsJetStream: round(base.readRecordsPerS / js.readRecordsPerS, 2),
          }
        : {}),
      ...(rd
        ? {
            appendVsRedis: round(base.appendRecordsPerS / rd.appendRecordsPerS, 2),
            readVsRedis: round(base.readRecordsPerS / rd.readRecordsPerS, 2),
          }
        : {}),
    };
  }
  const small = results[`${CASES[0].recordBytes} B records, batches of ${CASES[0].batch}`];
  const base = small['embedded, fsync every 100 ms, in-process'];
  const targets = {
    'in-process append >= 500,000 rec/s (100 B, interval)': base.appendRecordsPerS >= 500_000,
    'in-process append >= 1.0x JetStream (100 B)':
      ratios[Object.keys(results)[0]].appendVsJetStream === undefined
        ? 'not measured'
        : ratios[Object.keys(results)[0]].appendVsJetStream >= 1,
    'read >= 1,000,000 rec/s (100 B)': base.readRecordsPerS >= 1_000_000,
  };
  console.log('\nratios (embedded interval in-process ÷ reference):', JSON.stringify(ratios, null, 1));
  console.log('targets:', JSON.stringify(targets, null, 1));
  return {
    setup: {
      repeats: REPEATS,
      statistic: 'median',
      shards: SHARDS,
      concurrentAppenders: CONCURRENCY,
      cases: CASES,
      recordsDividedBy: { http: 4, jsPublishApi: 10 },
    },
    results,
    ratios,
    targets,
    skipped,
    loadAverage: { before: loadBefore, after: os.loadavg().map((x) => round(x, 2)) },
    wallSeconds: round((Date.now() - started) / 1000),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await run();
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'hub.json'),
    `${JSON.stringify({ benchmark: 'hub', result: out }, null, 2)}\n`,
  );
  process.exit(0);
}
