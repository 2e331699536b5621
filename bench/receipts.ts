/**
 * Benchmark of message receipts (issue 4 §7): per channel type, 1,000 async tasks (real task service over the
 * scripted engine, SQLite catalog with fsync on commit) each with a receipt; latency from the task's end (its
 * `finished_at`, the CloudEvent `time`) to the consumer holding the message, p50/p99 (targets p50 ≤ 5 ms, p99 ≤
 * 25 ms on loopback; DLA's transcripts show mq_total_time 307 ms for MNS and 1,834 ms for ONS), and receipts per
 * second. Latency run: tasks submitted open loop at RECEIPTS_BENCH_RATE/s (100); throughput run: 1,000 more
 * submitted back to back. `taskEndToEventP50Ms` is the part spent before receipts get the task's terminal event
 * (the terminal commit and the task service's post-commit read). Reference in the same run: the same channel's `send` called directly (no outbox, no catalog), 200
 * sequential messages, latency from the call to the consumer.
 * Brokers: RabbitMQ, Mosquitto, NATS (JetStream + core), Redis on 127.0.0.1; a local HTTP receiver for webhook
 * and dingtalk. Kafka is not measured (no broker can run here). `npm run bench -- receipts`;
 * RECEIPTS_BENCH_N overrides the count.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { testMessage } from '../src/receipts/index.js';
import { SERVICES } from '../test/helpers/services.js';
import { startHarness } from '../test/integration/receipts/harness.js';
import { percentile, round } from './lib/stats.js';

const N = Number(process.env.RECEIPTS_BENCH_N ?? 1000);
const REF_N = 100;
/** Submit rate of the latency run (tasks per second, open loop). */
const RATE = Number(process.env.RECEIPTS_BENCH_RATE ?? 100);
const tag = `lc_bench_${randomBytes(3).toString('hex')}`;

/** A consumer: `arrivals` maps message id → arrival time (epoch ms, fractional). */
interface Consumer {
  readonly arrivals: Map<string, number>;
  close(): Promise<void>;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function record(arrivals: Map<string, number>, body: string | Buffer): void {
  const at = nowMs();
  try {
    arrivals.set((JSON.parse(body.toString()) as { id: string }).id, at);
  } catch {}
}

async function httpConsumer(): Promise<Consumer & { url: string }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const ce = req.headers['webhook-id'];
      if (ce) arrivals.set(String(ce), nowMs());
      else {
        // DingTalk body: the id is not in it; the markdown has the task id.
        const m = /task: (q\w+)/.exec(body);
        if (m) arrivals.set(`rcpt-${m[1]}`, nowMs());
        else record(arrivals, body);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errcode":0}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

async function amqpConsumer(queue: string): Promise<Consumer> {
  const arrivals = new Map<string, number>();
  const conn = await amqp.connect(SERVICES.rabbitmq.url);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: false, autoDelete: true });
  await ch.consume(queue, (m) => m && record(arrivals, m.content), { noAck: true });
  return {
    arrivals,
    close: async () => {
      await ch.deleteQueue(queue).catch(() => {});
      await conn.close();
    },
  };
}

async function mqttConsumer(topic: string): Promise<Consumer> {
  const arrivals = new Map<string, number>();
  const c = await mqtt.connectAsync(`mqtt://${SERVICES.mosquitto.host}:${SERVICES.mosquitto.port}`, {
    protocolVersion: 5,
  });
  c.on('message', (_t, payload) => record(arrivals, payload));
  await c.subscribeAsync(topic, { qos: 1 });
  return { arrivals, close: () => c.endAsync() };
}

async function natsConsumer(subject: string, stream?: string): Promise<Consumer> {
  const arrivals = new Map<string, number>();
  const nc = await connect({ servers: SERVICES.nats.url });
  if (stream) {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject] });
  }
  const sub = nc.subscribe(subject, { callback: (_e, m) => record(arrivals, Buffer.from(m.data)) });
  await nc.flush();
  return {
    arrivals,
    close: async () => {
      sub.unsubscribe();
      if (stream) await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
      await nc.close();
    },
  };
}

async function redisStreamConsumer(stream: string): Promise<Consumer> {
  const arrivals = new Map<string, number>();
  const r = new Redis(SERVICES.redis.port, SERVICES.redis.host);
  let stop = false;
  let last = '$';
  const loop = (async () => {
    while (!stop) {
      const res = (await r.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', stream, last)) as
        | [string, [string, string[]][]][]
        | null;
      const at = nowMs();
      for (const [, entries] of res ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          arrivals.set(fields[fields.indexOf('id') + 1]!, at);
        }
      }
    }
  })();
  await new Promise((res) => setTimeout(res, 50));
  return {
    arrivals,
    close: async () => {
      stop = true;
      await loop;
      await r.del(stream);
      r.disconnect();
    },
  };
}

async function redisPubSubConsumer(channel: string): Promise<Consumer> {
  const arrivals = new Map<string, number>();
  const r = new Redis(SERVICES.redis.port, SERVICES.redis.host);
  r.on('message', (_c, m: string) => record(arrivals, m));
  await r.subscribe(channel);
  return { arrivals, close: async () => r.disconnect() };
}

interface Case {
  readonly label: string;
  readonly channel: Record<string, string | number | boolean> & { type: string };
  readonly consumer: () => Promise<Consumer>;
  /** False: no direct-send reference (DingTalk's body does not carry the message id; webhook is its reference). */
  readonly reference?: boolean;
}

async function waitFor(
  arrivals: Map<string, number>,
  ids: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ids.some((id) => !arrivals.has(id))) {
    if (Date.now() > deadline)
      throw new Error(`only ${ids.filter((i) => arrivals.has(i)).length}/${ids.length}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type H = Awaited<ReturnType<typeof startHarness>>;

/**
 * Submits `n` tasks with receipts through `channel` (every `intervalMs`, or back to back when 0), waits for the
 * consumer to hold every receipt, and measures from each task's end (`finished_at`): to its terminal event (the
 * task service's commit and event) and to the consumer (the whole path).
 */
async function runBatch(h: H, consumer: Consumer, channel: string, n: number, intervalMs: number) {
  const events = new Map<string, number>();
  const off = h.tasks.events.on('task:succeeded', (e) => events.set(e.id, nowMs()));
  const pending: Promise<string>[] = [];
  const t0 = nowMs();
  for (let k = 0; k < n; k++) {
    if (intervalMs > 0) {
      const wait = t0 + k * intervalMs - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(h.submit(`mq-notify-by=${channel}`, 'rows 1'));
    } else pending.push(Promise.resolve(await h.submit(`mq-notify-by=${channel}`, 'rows 1')));
  }
  const ids = await Promise.all(pending);
  const msgIds = ids.map((id) => `rcpt-${id}`);
  await waitFor(consumer.arrivals, msgIds, 120_000);
  off();
  const total: number[] = [];
  const toEvent: number[] = [];
  const ends: number[] = [];
  for (const id of ids) {
    const end = (await h.tasks.store.get(id))!.finished_at!;
    ends.push(end);
    total.push(consumer.arrivals.get(`rcpt-${id}`)! - end);
    const ev = events.get(id);
    if (ev !== undefined) toEvent.push(ev - end);
  }
  const lastArrival = Math.max(...msgIds.map((m) => consumer.arrivals.get(m)!));
  return {
    latency: {
      p50Ms: round(percentile(total, 50)),
      p99Ms: round(percentile(total, 99)),
      maxMs: round(Math.max(...total)),
      taskEndToEventP50Ms: round(percentile(toEvent, 50)),
    },
    perSec: round(n / ((lastArrival - Math.min(...ends)) / 1000), 0),
  };
}

export async function run() {
  const rx = await httpConsumer();
  const cases: Case[] = [
    { label: 'webhook', channel: { type: 'webhook', url: `${rx.url}/hook` }, consumer: async () => rx },
    {
      label: 'dingtalk (limit lifted)',
      channel: {
        type: 'dingtalk',
        url: `${rx.url}/ding?access_token=t`,
        secret: 'SECbench',
        rate_per_minute: 0,
      },
      consumer: async () => rx,
      reference: false,
    },
    {
      label: 'amqp (confirm channel)',
      channel: { type: 'amqp', url: SERVICES.rabbitmq.url, queue: `${tag}_q` },
      consumer: () => amqpConsumer(`${tag}_q`),
    },
    {
      label: 'mqtt (QoS 1)',
      channel: {
        type: 'mqtt',
        url: `mqtt://${SERVICES.mosquitto.host}:${SERVICES.mosquitto.port}`,
        topic: `${tag}/r`,
      },
      consumer: () => mqttConsumer(`${tag}/r`),
    },
    {
      label: 'nats JetStream',
      channel: { type: 'nats', url: SERVICES.nats.url, subject: `${tag}.js` },
      consumer: () => natsConsumer(`${tag}.js`, `${tag}_js`),
    },
    {
      label: 'nats core',
      channel: { type: 'nats', url: SERVICES.nats.url, subject: `${tag}.core`, jetstream: false },
      consumer: () => natsConsumer(`${tag}.core`),
    },
    {
      label: 'redis XADD',
      channel: {
        type: 'redis',
        url: `redis://${SERVICES.redis.host}:${SERVICES.redis.port}`,
        stream: `${tag}_s`,
      },
      consumer: () => redisStreamConsumer(`${tag}_s`),
    },
    {
      label: 'redis PUBLISH',
      channel: {
        type: 'redis',
        url: `redis://${SERVICES.redis.host}:${SERVICES.redis.port}`,
        stream: `${tag}_p`,
        mode: 'pubsub',
      },
      consumer: () => redisPubSubConsumer(`${tag}_p`),
    },
  ];
  const h = await startHarness(
    {
      channels: cases.map((c, i) => ({ name: `c${i}`, ...c.channel })),
      concurrency: 64,
      pollMs: 1_000,
    },
    { taskConcurrency: 8 },
  );
  const results: Record<string, unknown>[] = [];
  let commitFloor: Record<string, number> | undefined;
  try {
    // Warm-up (JIT, connections, page cache): 200 receipts through the first channel, not measured.
    const warm: string[] = [];
    for (let k = 0; k < 200; k++) warm.push(`rcpt-${await h.submit('mq-notify-by=c0', 'rows 1')}`);
    await waitFor(rx.arrivals, warm, 60_000);
    // Reference floor: one durable commit of the catalog (SQLite, WAL, synchronous=FULL) on this disk. A receipt
    // can only be sent after the task's terminal transaction committed, so this bounds the latency from below.
    const db = h.catalog.db;
    const commitMs: number[] = [];
    for (let k = 0; k < 200; k++) {
      const t0 = nowMs();
      await db
        .transaction()
        .execute((tx) =>
          tx.updateTable('receipt_outbox').set({ attempts: 0 }).where('message_id', '=', 'none').execute(),
        );
      commitMs.push(nowMs() - t0);
    }
    commitFloor = { p50Ms: round(percentile(commitMs, 50)), p99Ms: round(percentile(commitMs, 99)) };
    console.log(JSON.stringify({ catalogCommit: commitFloor }));

    for (const [i, c] of cases.entries()) {
      const consumer = await c.consumer();
      try {
        // Reference: the channel's send called directly, sequentially.
        const resolved = (await h.receipts.registry.resolve(`c${i}`))!;
        const refMs: number[] = [];
        for (let k = 0; c.reference !== false && k < REF_N; k++) {
          const m = testMessage(`c${i}`, 'bench', 'lakecast');
          const t0 = nowMs();
          await resolved.channel.send(m, {}, { signal: new AbortController().signal });
          await waitFor(consumer.arrivals, [m.id], 5_000);
          refMs.push(consumer.arrivals.get(m.id)! - t0);
        }
        // 1. Latency: N tasks submitted open-loop at RATE/s (not waiting for each other), each with a receipt.
        const paced = await runBatch(h, consumer, `c${i}`, N, 1000 / RATE);
        // 2. Throughput: N tasks submitted back to back (the catalog's single connection saturated).
        const burst = await runBatch(h, consumer, `c${i}`, N, 0);
        const row = {
          channel: c.label,
          receipts: N,
          latency: { submitRatePerSec: RATE, ...paced.latency },
          burst: { ...burst.latency, receiptsPerSec: burst.perSec },
          reference:
            refMs.length === 0
              ? null
              : {
                  what: 'channel.send direct (no outbox), sequential',
                  n: REF_N,
                  p50Ms: round(percentile(refMs, 50)),
                  p99Ms: round(percentile(refMs, 99)),
                },
        };
        results.push(row);
        console.log(JSON.stringify(row));
      } finally {
        if (consumer !== rx) await consumer.close();
      }
    }
  } finally {
    await h.close();
    await rx.close();
  }
  return {
    targets: { p50Ms: 5, p99Ms: 25 },
    dla: { mnsMqTotalTimeMs: 307, onsMqTotalTimeMs: 1834 },
    catalogCommit: commitFloor,
    loadAverage: os.loadavg().map((x) => round(x)),
    note: 'latency = consumer arrival - task finished_at (ms clock of the task row); kafka not measured: no broker here; 2 shared cores under load (see loadAverage)',
    results,
  };
}
