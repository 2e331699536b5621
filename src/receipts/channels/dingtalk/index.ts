/**
 * `dingtalk`: a DingTalk group robot. Body `{msgtype:'markdown', markdown:{title,text}}`; with a `secret`
 * (`SEC…`) the URL gets `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret,
 * `${timestamp}\n${secret}`))). DingTalk answers 200 with `errcode`: 0 is delivered, 130101 (sending too fast)
 * and -1 (busy) retry, others fail. Limit 20 messages per minute per robot: queued, never dropped.
 * Settings: `url` (the robot's webhook with access_token), `secret`, `timeout_ms`, `rate_per_minute`.
 */
import { createHmac } from 'node:crypto';
import { receiptMarkdown } from '../../message.js';
import { jsonOf, postBody } from '../http.js';
import { limiterFrom } from '../limits.js';
import { type Channel, type ChannelType, DeliveryError, str } from '../types.js';

/** DingTalk's `sign` before URL encoding. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export const dingtalkChannelType: ChannelType = {
  type: 'dingtalk',
  keys: ['url', 'secret', 'timeout_ms', 'rate_per_minute', 'rate_per_second'],
  secretKeys: ['secret', 'url'],
  required: ['url'],
  create(s): Channel {
    const url = str(s, 'url')!;
    const secret = str(s, 'secret');
    return {
      type: 'dingtalk',
      rateLimit: limiterFrom(s, [[20, 60_000]]),
      async send(message, _target, { signal }) {
        const md = receiptMarkdown(message);
        const u = new URL(url);
        if (secret) {
          const ts = Date.now();
          u.searchParams.set('timestamp', String(ts));
          u.searchParams.set('sign', dingtalkSign(secret, ts));
        }
        const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: md.title, text: md.text } });
        const { text } = await postBody(u.toString(), body, { 'content-type': 'application/json' }, signal);
        const r = jsonOf(text);
        const code = Number(r.errcode ?? 0);
        if (code === 0) return {};
        const msg = `DingTalk errcode ${code}: ${String(r.errmsg ?? '').slice(0, 200)}`;
        if (code === 130101) throw new DeliveryError(msg, { retryable: true, retryAfterMs: 60_000 });
        throw new DeliveryError(msg, { retryable: code === -1 });
      },
      async close() {},
    };
  },
};
