import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptMessageId } from '../../../src/receipts/index.js';
import { SERVICES, serviceAvailable } from '../../helpers/services.js';
import { closedPort, type Harness, startHarness } from './harness.js';

const up = await serviceAvailable('redis');
const URL = `redis://${SERVICES.redis.host}:${SERVICES.redis.port}`;

describe.skipIf(!up)('receipts - redis channel against the real Redis (XADD / PUBLISH)', () => {
  const stream = `lc_rcpt_${randomBytes(4).toString('hex')}`;
  let r: Redis;
  let h: Harness;

  beforeAll(async () => {
    r = new Redis(URL);
    h = await startHarness({
      channels: [
        { name: 'rs', type: 'redis', url: URL, stream },
        { name: 'rp', type: 'redis', url: URL, mode: 'pubsub' },
      ],
      endpointAllowlist: [`${SERVICES.redis.host}:${SERVICES.redis.port}`],
    });
  });
  afterAll(async () => {
    await h?.close();
    await r?.del(stream, `${stream}_2`);
    r?.disconnect();
  });

  it('XADD - the entry carries the CloudEvent; mq_message_id is the Redis entry id', async () => {
    const a = await h.submit('mq-notify-by=rs');
    const t = await h.waitMq(a);
    expect(t.mq_status).toBe('SUCCESS');
    const entries = await r.xrange(stream, '-', '+');
    const e = entries.find(([, f]) => f[f.indexOf('id') + 1] === receiptMessageId(a))!;
    expect(t.mq_message_id).toBe(e[0]);
    const fields = e[1];
    expect(JSON.parse(fields[fields.indexOf('event') + 1]!)).toMatchObject({ subject: a });
    const b = await h.submit(`mq-notify-by=rs, mq-topic=${stream}_2`);
    expect((await h.waitMq(b)).mq_status).toBe('SUCCESS');
    expect(await r.xlen(`${stream}_2`)).toBe(1);
  });

  it('PUBLISH - a subscriber gets the CloudEvent', async () => {
    const sub = new Redis(URL);
    const got = new Promise<string>((resolve) => sub.on('message', (_c, m) => resolve(m)));
    await sub.subscribe(`${stream}_ps`);
    const a = await h.submit(`mq-notify-by=rp, mq-topic=${stream}_ps`);
    expect(JSON.parse(await got).id).toBe(receiptMessageId(a));
    expect((await h.waitMq(a)).mq_status).toBe('SUCCESS');
    sub.disconnect();
  });

  it('broker unreachable - RETRYING with the error, then delivered when pointed at the live server', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL rdown TYPE redis WITH (url='redis://127.0.0.1:${await closedPort()}', stream='${stream}')`,
    );
    const a = await h.submit('mq-notify-by=rdown');
    const t = await h.waitMq(a, ['RETRYING']);
    expect(t.mq_error_msg).toMatch(/ECONNREFUSED|Connection is closed/);
    // One write: a retry between a DROP and a CREATE would find no channel and fail the receipt.
    await h.sql(
      `CREATE OR REPLACE NOTIFICATION CHANNEL rdown TYPE redis WITH (url='${URL}', stream='${stream}')`,
    );
    expect((await h.waitMq(a, ['SUCCESS'])).mq_message_id).toMatch(/^\d+-\d+$/);
  });

  it('mq-endpoint on the allowlist replaces the channel URL (a broker channel too); off the list it is refused', async () => {
    await h.sql(
      `CREATE NOTIFICATION CHANNEL rend TYPE redis WITH (url='redis://127.0.0.1:${await closedPort()}', stream='${stream}')`,
    );
    const a = await h.submit(`mq-notify-by=rend, mq-endpoint='${URL}'`);
    expect((await h.waitMq(a)).mq_status).toBe('SUCCESS');
    await expect(h.submit("mq-notify-by=rend, mq-endpoint='redis://10.1.2.3:6379'")).rejects.toMatchObject({
      code: 'LC_RECEIPT_ENDPOINT_DENIED',
    });
  });
});
