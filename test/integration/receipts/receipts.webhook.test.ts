import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  getOutboxRow,
  type ReceiptsConfigInput,
  receiptMessageId,
  verifyStandardWebhook,
} from '../../../src/receipts/index.js';
import { ALICE, closedPort, type Harness, startHarness, startReceiver } from './harness.js';

const SECRET = `whsec_${Buffer.from('lakecast-test-signing-key-32byte').toString('base64')}`;

describe('receipts - webhook channel end to end (outbox → dispatcher → local receiver)', () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let h: Harness;

  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });
  afterEach(async () => {
    await h?.close();
  });

  const hooks = (extra: ReceiptsConfigInput = {}): ReceiptsConfigInput => ({
    channels: [
      { name: 'hook', type: 'webhook', url: rx.url('/hook'), secret: SECRET, timeout_ms: 500 },
      { name: 'gone', type: 'webhook', url: rx.url('/gone') },
    ] as ReceiptsConfigInput['channels'],
    endpointAllowlist: [`127.0.0.1:${rx.port}`],
    ...extra,
  });

  it('delivered - CloudEvents structured JSON, Standard Webhooks headers verified, task row SUCCESS with total time', async () => {
    h = await startHarness(hooks());
    const id = await h.submit('mq-notify-by=hook');
    const t = await h.waitMq(id);
    expect(t).toMatchObject({
      status: 'SUCCESS',
      mq_status: 'SUCCESS',
      mq_error_msg: null,
      mq_product: 'hook',
    });
    expect(t.mq_message_id).toBe(receiptMessageId(id));
    expect(t.mq_total_time).toBeGreaterThanOrEqual(0);
    expect(t.mq_total_time).toBeLessThan(5_000);
    expect(t.mq_attempts).toBe(1);
    const req = rx.received.find((r) => r.headers['webhook-id'] === receiptMessageId(id))!;
    expect(req.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(
      verifyStandardWebhook(
        SECRET,
        {
          id: String(req.headers['webhook-id']),
          timestamp: String(req.headers['webhook-timestamp']),
          signature: String(req.headers['webhook-signature']),
        },
        req.body,
      ),
    ).toBe(true);
    const ev = JSON.parse(req.body);
    expect(ev).toMatchObject({
      specversion: '1.0',
      id: receiptMessageId(id),
      type: 'lakecast.query_task.succeeded',
      subject: id,
      datacontenttype: 'application/json',
      data: { id, status: 'SUCCESS', row_count: 2, result_uri: t.result_file_oss_file },
    });
    expect((await getOutboxRow(h.catalog.db, receiptMessageId(id)))!.attempts).toBe(1);
  });

  it('failure injection - 500, then 429 with Retry-After: 1, then 200: retried, Retry-After honoured, delivered once', async () => {
    h = await startHarness(hooks());
    rx.script('/hook', { status: 500, body: 'boom' }, { status: 429, headers: { 'retry-after': '1' } });
    const before = rx.received.length;
    const id = await h.submit('mq-notify-by=hook');
    const t = await h.waitMq(id, ['SUCCESS', 'FAILURE']);
    expect(t.mq_status).toBe('SUCCESS');
    const mine = rx.received.slice(before).filter((r) => r.headers['webhook-id'] === receiptMessageId(id));
    expect(mine.map((r) => r.status)).toEqual([500, 429, 200]);
    expect(new Set(mine.map((r) => r.body)).size).toBe(1); // same bytes on every retry
    const row = (await getOutboxRow(h.catalog.db, receiptMessageId(id)))!;
    expect(row.attempts).toBe(3);
    expect((await h.tasks.store.get(id))!.mq_attempts).toBe(3);
    expect(row.delivered_at! - row.created_at).toBeGreaterThanOrEqual(1_000);
    expect(rx.acceptedIds('/hook').filter((x) => x === receiptMessageId(id))).toHaveLength(1);
  });

  it('failure injection - a hanging receiver times out (RETRYING with the error shown), then delivered when it answers', async () => {
    h = await startHarness(hooks({ backoffInitialMs: 300, backoffMaxMs: 300 }));
    rx.script('/hook', 'hang');
    const id = await h.submit('mq-notify-by=hook');
    const r = await h.waitMq(id, ['RETRYING']);
    expect(r.mq_error_msg).toMatch(/timed out/);
    expect(r.mq_attempts).toBeGreaterThanOrEqual(1);
    const t = await h.waitMq(id, ['SUCCESS', 'FAILURE']);
    expect(t.mq_status).toBe('SUCCESS');
    expect(t.mq_error_msg).toBeNull();
  });

  it('410 Gone - FAILURE and the channel is disabled: the next receipt fails without a request', async () => {
    h = await startHarness(hooks());
    rx.script('/gone', { status: 410 });
    const a = await h.submit('mq-notify-by=gone');
    expect(await h.waitMq(a)).toMatchObject({ mq_status: 'FAILURE' });
    const shown = await h.sql("SHOW NOTIFICATION CHANNELS LIKE 'gone'");
    expect(String(shown[0]![4])).toMatch(/^DISABLED: HTTP 410/);
    const n = rx.received.filter((r) => r.path === '/gone').length;
    const b = await h.submit('mq-notify-by=gone');
    const tb = await h.waitMq(b);
    expect(tb.mq_status).toBe('FAILURE');
    expect(tb.mq_error_msg).toMatch(/disabled/);
    expect(rx.received.filter((r) => r.path === '/gone').length).toBe(n);
  });

  it('mq-threshold-secs - a task that ran less sends nothing and shows SKIPPED; mq-on filters terminal states', async () => {
    h = await startHarness(hooks());
    const before = rx.received.length;
    const a = await h.submit('mq-notify-by=hook, mq-threshold-secs=100');
    const ta = await h.waitMq(a);
    expect(ta).toMatchObject({ status: 'SUCCESS', mq_status: 'SKIPPED', mq_error_msg: null });
    const b = await h.submit('mq-notify-by=hook, mq-on=failure,cancelled');
    expect(await h.waitMq(b)).toMatchObject({ mq_status: 'SKIPPED' });
    const c = await h.submit('mq-notify-by=hook, mq-on=failure', 'fail');
    expect(await h.waitMq(c)).toMatchObject({ status: 'FAILURE', mq_status: 'SUCCESS' });
    await new Promise((r) => setTimeout(r, 100));
    const ids = rx.received.slice(before).map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([receiptMessageId(c)]);
    expect(JSON.parse(rx.received.at(-1)!.body).type).toBe('lakecast.query_task.failed');
  });

  it('mq-endpoint (SSRF guard) - a host off the allowlist is refused at submit; an allowed one is used', async () => {
    h = await startHarness(hooks());
    const before = rx.received.length;
    await expect(
      h.submit("mq-notify-by=hook, mq-endpoint='http://169.254.169.254/latest/meta-data'"),
    ).rejects.toMatchObject({ code: 'LC_RECEIPT_ENDPOINT_DENIED' });
    const b = await h.submit(`mq-notify-by=hook, mq-endpoint='${rx.url('/other')}'`);
    expect(await h.waitMq(b)).toMatchObject({ mq_status: 'SUCCESS' });
    expect(rx.received.slice(before).map((r) => r.path)).toEqual(['/other']);
    expect(await h.tasks.list(ALICE.user)).toHaveLength(1); // the refused submit left no row
  });

  it('mq-endpoint (SSRF guard) - the dispatcher refuses it too (a task accepted before the allowlist changed)', async () => {
    h = await startHarness(hooks(), { checkAtSubmit: false });
    const before = rx.received.length;
    const a = await h.submit("mq-notify-by=hook, mq-endpoint='http://169.254.169.254/latest/meta-data'");
    const ta = await h.waitMq(a);
    expect(ta.mq_status).toBe('FAILURE');
    expect(ta.mq_error_msg).toMatch(/LC_RECEIPT_ENDPOINT_DENIED/);
    const b = await h.submit(`mq-notify-by=hook, mq-endpoint='${rx.url('/other')}'`);
    expect(await h.waitMq(b)).toMatchObject({ mq_status: 'SUCCESS' });
    const paths = rx.received.slice(before).map((r) => r.path);
    expect(paths).toEqual(['/other']);
  });

  it('unknown channel - refused at submit, naming it; dropped while the task ran - FAILURE naming it', async () => {
    h = await startHarness(hooks());
    await expect(h.submit('mq-notify-by=nosuch')).rejects.toMatchObject({
      code: 'LC_CHANNEL_NOT_FOUND',
      message: expect.stringContaining('nosuch'),
    });
    await h.sql(`CREATE NOTIFICATION CHANNEL brief TYPE webhook WITH (url='${rx.url('/brief')}')`);
    const a = await h.submit('mq-notify-by=brief', 'slow 6');
    await h.sql('DROP NOTIFICATION CHANNEL brief');
    const t = await h.waitMq(a);
    expect(t.status).toBe('SUCCESS');
    expect(t.mq_status).toBe('FAILURE');
    expect(t.mq_error_msg).toMatch(/no notification channel named brief/);
  });

  it('max age - a receipt still failing after maxAgeMs ends as FAILURE', async () => {
    h = await startHarness({
      channels: [
        { name: 'down', type: 'webhook', url: `http://127.0.0.1:${await closedPort()}/x`, timeout_ms: 200 },
      ],
      maxAgeMs: 1_000,
    });
    const a = await h.submit('mq-notify-by=down');
    const r = await h.waitMq(a, ['RETRYING']);
    expect(r.mq_error_msg).toMatch(/ECONNREFUSED/);
    const t = await h.waitMq(a, ['FAILURE']);
    expect(t.mq_error_msg).toMatch(/max age/);
  });
});
