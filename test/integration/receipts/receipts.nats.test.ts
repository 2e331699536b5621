import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptMessageId } from '../../../src/receipts/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { closedPort, type Harness, startHarness } from './harness.js';

const up = await serviceAvailable('nats');

describe.skipIf(!up)('receipts - nats channel against the real NATS server (JetStream and core)', () => {
  const tag = `lc_rcpt_${randomBytes(4).toString('hex')}`;
  let nc: NatsConnection;
  let h: Harness;

  beforeAll(async () => {
    nc = await connect({ servers: SERVICES.nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: tag, subjects: [`${tag}.>`], duplicate_window: 60_000_000_000 });
    h = await startHarness({
      channels: [
        { name: 'js', type: 'nats', url: SERVICES.nats.url, subject: `${tag}.receipts` },
        { name: 'core', type: 'nats', url: SERVICES.nats.url, subject: `${tag}_core`, jetstream: false },
      ],
    });
  });
  afterAll(async () => {
    await h?.close();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(tag).catch(() => {});
    await nc?.close();
  });

  it('JetStream - Nats-Msg-Id = message id, acked; mq_message_id is the stream sequence; a resend is deduplicated', async () => {
    const a = await h.submit('mq-notify-by=js');
    const t = await h.waitMq(a);
    expect(t.mq_status).toBe('SUCCESS');
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(tag, { seq: Number(t.mq_message_id) });
    expect(stored!.header!.get('Nats-Msg-Id')).toBe(receiptMessageId(a));
    expect(stored!.json<{ subject: string }>().subject).toBe(a);
    // The same message sent again (a retry after a lost confirm) is dropped by the stream.
    const resolved = (await h.receipts.registry.resolve('js'))!;
    const msg = JSON.parse(stored!.string());
    await resolved.channel.send(msg, {}, { signal: new AbortController().signal });
    expect((await jsm.streams.info(tag)).state.messages).toBe(1);
    const b = await h.submit(`mq-notify-by=js, mq-topic=${tag}.other`);
    expect(Number((await h.waitMq(b)).mq_message_id)).toBe(2);
  });

  it('core NATS - a subscriber gets the CloudEvent (flush-confirmed)', async () => {
    const sub = nc.subscribe(`${tag}_core`, { max: 1 });
    await nc.flush();
    const a = await h.submit('mq-notify-by=core');
    for await (const m of sub) {
      expect(m.json<{ id: string }>().id).toBe(receiptMessageId(a));
    }
    expect((await h.waitMq(a)).mq_status).toBe('SUCCESS');
  });

  it('no stream for the subject - RETRYING with a clear error', async () => {
    const a = await h.submit(`mq-notify-by=js, mq-topic=${tag}_nostream`);
    expect((await h.waitMq(a, ['RETRYING'])).mq_error_msg).toMatch(/no JetStream stream/);
  });

  it('broker unreachable - RETRYING with the error, delivered once pointed at the live server', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL ndown TYPE nats WITH (url='nats://127.0.0.1:${await closedPort()}', subject='${tag}.down')`,
    );
    const a = await h.submit('mq-notify-by=ndown');
    expect((await h.waitMq(a, ['RETRYING'])).mq_error_msg).toBeTruthy();
    // One write: a retry between a DROP and a CREATE would find no channel and fail the receipt.
    await h.sql(
      `CREATE OR REPLACE NOTIFICATION CHANNEL ndown TYPE nats WITH (url='${SERVICES.nats.url}', subject='${tag}.down')`,
    );
    expect((await h.waitMq(a, ['SUCCESS'])).mq_message_id).toMatch(/^\d+$/);
  });
});
