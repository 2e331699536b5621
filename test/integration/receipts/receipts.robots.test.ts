import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptsConfigInput } from '../../../src/receipts/index.js';
import { type Harness, type Received, startHarness, startReceiver } from './harness.js';

const DING_SECRET = 'SEC0123456789abcdef';
const FEISHU_SECRET = 'feishu-secret-123';

/** DingTalk's published check: sign == urlencode(base64(HMAC-SHA256(secret, ts + "\n" + secret))), fresh ts. */
function dingtalkValid(r: Received): boolean {
  const u = new URL(r.url, 'http://x');
  const ts = u.searchParams.get('timestamp')!;
  const expected = createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
  return u.searchParams.get('sign') === expected && Math.abs(Date.now() - Number(ts)) < 3_600_000;
}

/** Feishu's published check: sign == base64(HMAC-SHA256(key = ts + "\n" + secret, "")). */
function feishuValid(body: { timestamp: string; sign: string }): boolean {
  const expected = createHmac('sha256', `${body.timestamp}\n${FEISHU_SECRET}`).update('').digest('base64');
  return body.sign === expected && Math.abs(Date.now() / 1000 - Number(body.timestamp)) < 3600;
}

describe('robots - DingTalk, Feishu, WeCom, Slack bodies and signatures, against a local receiver', () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let h: Harness;

  beforeAll(async () => {
    rx = await startReceiver({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"errcode":0,"code":0}',
    });
  });
  afterAll(async () => {
    await rx.close();
  });
  afterEach(async () => {
    await h?.close();
  });

  const config = (): ReceiptsConfigInput => ({
    channels: [
      { name: 'dingtalk', type: 'dingtalk', url: rx.url('/ding?access_token=tok'), secret: DING_SECRET },
      { name: 'feishu', type: 'feishu', url: rx.url('/feishu/hook/abc'), secret: FEISHU_SECRET },
      { name: 'wecom', type: 'wecom', url: rx.url('/wecom?key=k') },
      { name: 'slack', type: 'slack', url: rx.url('/slack/T/B/X') },
      {
        name: 'feishu-slow',
        type: 'feishu',
        url: rx.url('/feishu-slow'),
        secret: FEISHU_SECRET,
        rate_per_second: 2,
      },
    ],
    publicUrl: 'https://lakecast.example.com',
  });

  it('DingTalk - markdown body, timestamp + sign verified with the published algorithm', async () => {
    h = await startHarness(config());
    const id = await h.submit('mq-notify-by=dingtalk');
    expect((await h.waitMq(id)).mq_status).toBe('SUCCESS');
    const r = rx.received.filter((x) => x.path === '/ding').at(-1)!;
    expect(new URL(r.url, 'http://x').searchParams.get('access_token')).toBe('tok');
    expect(dingtalkValid(r)).toBe(true);
    const body = JSON.parse(r.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('Lakecast query task SUCCESS');
    for (const s of [
      'status: SUCCESS',
      'duration:',
      'rows: 2',
      `https://lakecast.example.com/v1/tasks/${id}/result`,
    ])
      expect(body.markdown.text).toContain(s);
  });

  it('Feishu - interactive card with the markdown summary, timestamp + sign verified', async () => {
    h = await startHarness(config());
    const id = await h.submit('mq-notify-by=feishu', 'fail');
    expect((await h.waitMq(id)).mq_status).toBe('SUCCESS');
    const body = JSON.parse(rx.received.filter((x) => x.path === '/feishu/hook/abc').at(-1)!.body);
    expect(feishuValid(body)).toBe(true);
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header.title.content).toBe('Lakecast query task FAILURE');
    expect(body.card.elements[0].content).toContain('status: FAILURE');
  });

  it('WeCom and Slack - their own bodies', async () => {
    h = await startHarness(config());
    const a = await h.submit('mq-notify-by=wecom');
    const b = await h.submit('mq-notify-by=slack');
    expect((await h.waitMq(a)).mq_status).toBe('SUCCESS');
    expect((await h.waitMq(b)).mq_status).toBe('SUCCESS');
    const w = JSON.parse(rx.received.filter((x) => x.path === '/wecom').at(-1)!.body);
    expect(w.msgtype).toBe('markdown');
    expect(w.markdown.content).toContain(a);
    const s = JSON.parse(rx.received.filter((x) => x.path === '/slack/T/B/X').at(-1)!.body);
    expect(s.text).toBe('Lakecast query task SUCCESS');
    expect(s.blocks[0].text.type).toBe('mrkdwn');
    expect(s.blocks[0].text.text).toContain(b);
  });

  it('DingTalk errcode 130101 (too fast) inside a 200 - RETRYING, not SUCCESS', async () => {
    h = await startHarness(config());
    rx.script('/ding', { status: 200, body: '{"errcode":130101,"errmsg":"send too fast"}' });
    const id = await h.submit('mq-notify-by=dingtalk');
    const t = await h.waitMq(id, ['RETRYING', 'SUCCESS', 'FAILURE']);
    expect(t.mq_status).toBe('RETRYING');
    expect(t.mq_error_msg).toMatch(/130101/);
  });

  it('rate limit - 6 receipts through a 2/s robot are all delivered, never more than 2 in any second (queued, not dropped)', async () => {
    h = await startHarness(config());
    const ids = await Promise.all(Array.from({ length: 6 }, () => h.submit('mq-notify-by=feishu-slow')));
    for (const id of ids)
      expect((await h.waitMq(id, ['SUCCESS', 'FAILURE'], 30_000)).mq_status).toBe('SUCCESS');
    const times = rx.received.filter((r) => r.path === '/feishu-slow').map((r) => r.at);
    expect(times).toHaveLength(6);
    // Sliding window of 1 s: the 3rd request comes at least ~1 s after the 1st, and so on.
    for (let i = 0; i + 2 < times.length; i++) expect(times[i + 2]! - times[i]!).toBeGreaterThanOrEqual(950);
    const at = h.outcomes.filter((o) => o.channel === 'feishu-slow' && o.status === 'DEFERRED');
    expect(at.length).toBeGreaterThan(0);
  });
});
