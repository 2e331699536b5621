import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptMessageId } from '../../../src/receipts/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { closedPort, type Harness, startHarness } from './harness.js';

const up = await serviceAvailable('mosquitto');
const URL = `mqtt://${SERVICES.mosquitto.host}:${SERVICES.mosquitto.port}`;

describe.skipIf(!up)('receipts - mqtt channel against the real Mosquitto (QoS 1, PUBACK)', () => {
  const topic = `lakecast/test/${randomBytes(4).toString('hex')}`;
  let sub: mqtt.MqttClient;
  let h: Harness;
  const got: { topic: string; body: string; qos: number; contentType?: string }[] = [];

  beforeAll(async () => {
    sub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    sub.on('message', (t, payload, packet) =>
      got.push({
        topic: t,
        body: payload.toString(),
        qos: packet.qos,
        contentType: packet.properties?.contentType,
      }),
    );
    await sub.subscribeAsync(`${topic}/#`, { qos: 1 });
    h = await startHarness({
      channels: [{ name: 'mq', type: 'mqtt', url: URL, topic: `${topic}/receipts` }],
    });
  });
  afterAll(async () => {
    await h?.close();
    await sub?.endAsync();
  });

  async function waitFor(id: string) {
    for (let i = 0; i < 500; i++) {
      const m = got.find((g) => JSON.parse(g.body).id === id);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no MQTT message ${id}`);
  }

  it('QoS 1 publish to the channel topic and to mq-topic; CloudEvents content type; task row SUCCESS', async () => {
    const a = await h.submit('mq-notify-by=mq');
    expect((await h.waitMq(a)).mq_status).toBe('SUCCESS');
    const m = await waitFor(receiptMessageId(a));
    expect(m).toMatchObject({ topic: `${topic}/receipts`, qos: 1 });
    expect(m.contentType).toMatch(/cloudevents/);
    const b = await h.submit(`mq-notify-by=mq, mq-topic=${topic}/other`);
    expect((await h.waitMq(b)).mq_status).toBe('SUCCESS');
    expect((await waitFor(receiptMessageId(b))).topic).toBe(`${topic}/other`);
  });

  it('broker unreachable - RETRYING with the error, delivered once pointed at the live broker', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL mdown TYPE mqtt WITH (url='mqtt://127.0.0.1:${await closedPort()}', topic='${topic}/down')`,
    );
    const a = await h.submit('mq-notify-by=mdown');
    expect((await h.waitMq(a, ['RETRYING'])).mq_error_msg).toMatch(/ECONNREFUSED/);
    // In one write: a retry falling between a DROP and a CREATE would find no channel and fail the receipt.
    await h.sql(
      `CREATE OR REPLACE NOTIFICATION CHANNEL mdown TYPE mqtt WITH (url='${URL}', topic='${topic}/down')`,
    );
    expect((await h.waitMq(a, ['SUCCESS'])).mq_status).toBe('SUCCESS');
    expect((await waitFor(receiptMessageId(a))).topic).toBe(`${topic}/down`);
  });
});
