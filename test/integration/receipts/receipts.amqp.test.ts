import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptMessageId } from '../../../src/receipts/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { closedPort, type Harness, startHarness } from './harness.js';

const up = await serviceAvailable('rabbitmq');

describe.skipIf(!up)('receipts - amqp channel against the real RabbitMQ (publisher confirms)', () => {
  const tag = `lc_rcpt_${randomBytes(4).toString('hex')}`;
  const exchange = `${tag}_x`;
  const topicQueue = `${tag}_topicq`;
  const directQueue = `${tag}_q`;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  let h: Harness;

  beforeAll(async () => {
    conn = await amqp.connect(SERVICES.rabbitmq.url);
    ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    await ch.assertQueue(topicQueue, { durable: false });
    await ch.bindQueue(topicQueue, exchange, 'dla.#');
    await ch.assertQueue(directQueue, { durable: false });
    h = await startHarness({});
  });
  afterAll(async () => {
    await h?.close();
    await ch?.deleteQueue(topicQueue).catch(() => {});
    await ch?.deleteQueue(directQueue).catch(() => {});
    await ch?.deleteExchange(exchange).catch(() => {});
    await conn?.close();
  });

  async function take(queue: string, timeoutMs = 5_000): Promise<amqp.GetMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await ch.get(queue, { noAck: true });
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`nothing in ${queue}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('exchange + routing key mq-topic, and queue mq-queue: persistent CloudEvent, confirmed, task row SUCCESS', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL ons TYPE amqp WITH (url='${SERVICES.rabbitmq.url}', exchange='${exchange}')`,
    );
    const a = await h.submit('mq-notify-by=ons, mq-topic=dla.shanghai, mq-producer-id=PID_dla');
    expect(await h.waitMq(a)).toMatchObject({ mq_status: 'SUCCESS', mq_message_id: receiptMessageId(a) });
    const m = await take(topicQueue);
    expect(m.fields.routingKey).toBe('dla.shanghai');
    expect(m.properties).toMatchObject({ messageId: receiptMessageId(a), deliveryMode: 2, appId: 'PID_dla' });
    expect(JSON.parse(m.content.toString())).toMatchObject({ id: receiptMessageId(a), subject: a });

    const b = await h.submit(`mq-notify-by=ons, mq-queue=${directQueue}`);
    expect(await h.waitMq(b)).toMatchObject({ mq_status: 'SUCCESS', mq_model: 'queue' });
    const mb = await take(directQueue);
    expect(JSON.parse(mb.content.toString()).id).toBe(receiptMessageId(b));
  });

  it('unroutable - no queue bound to the key: RETRYING (never silently dropped)', async () => {
    const a = await h.submit('mq-notify-by=ons, mq-topic=nobody.listens');
    const t = await h.waitMq(a, ['RETRYING']);
    expect(t.mq_error_msg).toMatch(/unroutable/);
  });

  it('broker unreachable (wrong port) - RETRYING with mq_error_msg, delivered once the channel points at the live broker', async () => {
    const bad = SERVICES.rabbitmq.url.replace(/:\d+$/, `:${await closedPort()}`);
    await h.sql(`CREATE NOTIFICATION CHANNEL ops TYPE amqp WITH (url='${bad}', exchange='${exchange}')`);
    const a = await h.submit('mq-notify-by=ops, mq-topic=dla.ops');
    const r = await h.waitMq(a, ['RETRYING']);
    expect(r.mq_error_msg).toMatch(/ECONNREFUSED/);
    // One write: a retry between a DROP and a CREATE would find no channel and fail the receipt.
    await h.sql(
      `CREATE OR REPLACE NOTIFICATION CHANNEL ops TYPE amqp WITH (url='${SERVICES.rabbitmq.url}', exchange='${exchange}')`,
    );
    expect(await h.waitMq(a, ['SUCCESS'])).toMatchObject({ mq_error_msg: null });
    const m = await take(topicQueue);
    expect(JSON.parse(m.content.toString()).id).toBe(receiptMessageId(a));
  });

  it('TEST NOTIFICATION CHANNEL - sends a test message and reports the outcome', async () => {
    const rows = await h.sql(`TEST NOTIFICATION CHANNEL ons WITH (queue='${directQueue}')`);
    expect(rows[0]!.slice(0, 2)).toEqual(['ons', 'SUCCESS']);
    const m = await take(directQueue);
    expect(JSON.parse(m.content.toString())).toMatchObject({
      type: 'lakecast.notification_channel.test',
      id: rows[0]![2],
    });
  });
});
