/**
 * `wecom` (WeCom / 企业微信 group robot): body `{msgtype:'markdown', markdown:{content}}` to the robot URL (its
 * `key` is the credential: the URL is a secret). `errcode` 0 is delivered, 45009 (frequency limit) and -1 retry.
 * Limit 20/min per robot: queued. Settings: `url`, `timeout_ms`, `rate_per_minute`.
 */
import { receiptMarkdown } from '../../message.js';
import { jsonOf, postBody } from '../http.js';
import { limiterFrom } from '../limits.js';
import { type Channel, type ChannelType, DeliveryError, str } from '../types.js';

export const wecomChannelType: ChannelType = {
  type: 'wecom',
  keys: ['url', 'timeout_ms', 'rate_per_minute', 'rate_per_second'],
  secretKeys: ['url'],
  required: ['url'],
  create(s): Channel {
    const url = str(s, 'url')!;
    return {
      type: 'wecom',
      rateLimit: limiterFrom(s, [[20, 60_000]]),
      async send(message, _target, { signal }) {
        const md = receiptMarkdown(message);
        const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: md.text } });
        const { text } = await postBody(url, body, { 'content-type': 'application/json' }, signal);
        const r = jsonOf(text);
        const code = Number(r.errcode ?? 0);
        if (code === 0) return {};
        const msg = `WeCom errcode ${code}: ${String(r.errmsg ?? '').slice(0, 200)}`;
        if (code === 45009) throw new DeliveryError(msg, { retryable: true, retryAfterMs: 60_000 });
        throw new DeliveryError(msg, { retryable: code === -1 });
      },
      async close() {},
    };
  },
};
