/**
 * `dingtalk`: a DingTalk group robot. Body `{msgtype:'markdown', markdown:{title,text}}`; with a `secret`
 * (`SEC…`) the URL gets `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret,
 * `${timestamp}\n${secret}`))). DingTalk answers 200 with `errcode`: 0 is delivered, 130101 (sending too fast)
 * and -1 (busy) retry, others fail. Limit 20 messages per minute per robot: queued, never dropped.
 * Settings: `url` (the robot's webhook with access_token), `secret`, `timeout_ms`, `rate_per_minute`.
 */
import { createHmac } from 'node:crypto';
import { receiptMarkdown } from '../../message.js';
import { checkErrcode, robotChannelType } from '../robot.js';

/** DingTalk's `sign` before URL encoding. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export const dingtalkChannelType = robotChannelType({
  type: 'dingtalk',
  signed: true,
  limits: [[20, 60_000]],
  request(url, secret, message) {
    const md = receiptMarkdown(message);
    const u = new URL(url);
    if (secret) {
      const ts = Date.now();
      u.searchParams.set('timestamp', String(ts));
      u.searchParams.set('sign', dingtalkSign(secret, ts));
    }
    return { url: u.toString(), body: { msgtype: 'markdown', markdown: { title: md.title, text: md.text } } };
  },
  check: checkErrcode('DingTalk', 130101),
});
