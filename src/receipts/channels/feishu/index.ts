/**
 * `feishu` (Lark): a custom group bot. Body: an interactive card with the Markdown summary; with a `secret`
 * the body carries `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key=`${timestamp}\n${secret}`, empty
 * message)). Feishu answers `{code:0}` on success; 9499/11232 (rate limited) retry. Limits 100/min and 5/s:
 * queued, never dropped. Settings: `url`, `secret`, `timeout_ms`, `rate_per_minute`, `rate_per_second`.
 */
import { createHmac } from 'node:crypto';
import { receiptMarkdown } from '../../message.js';
import { jsonOf } from '../http.js';
import { robotChannelType } from '../robot.js';
import { DeliveryError } from '../types.js';

/** Feishu's `sign`. */
export function feishuSign(secret: string, timestampSecs: number): string {
  return createHmac('sha256', `${timestampSecs}\n${secret}`).update('').digest('base64');
}

export const feishuChannelType = robotChannelType({
  type: 'feishu',
  signed: true,
  limits: [
    [100, 60_000],
    [5, 1_000],
  ],
  request(url, secret, message) {
    const md = receiptMarkdown(message);
    const payload: Record<string, unknown> = {
      msg_type: 'interactive',
      card: {
        header: { title: { tag: 'plain_text', content: md.title } },
        elements: [{ tag: 'markdown', content: md.text.replace(/^### .*\n/, '') }],
      },
    };
    if (secret) {
      const ts = Math.floor(Date.now() / 1000);
      payload.timestamp = String(ts);
      payload.sign = feishuSign(secret, ts);
    }
    return { url, body: payload };
  },
  check(text) {
    const r = jsonOf(text);
    const code = Number(r.code ?? r.StatusCode ?? 0);
    if (code === 0) return;
    const msg = `Feishu code ${code}: ${String(r.msg ?? r.StatusMessage ?? '').slice(0, 200)}`;
    if (code === 9499 || code === 11232) {
      throw new DeliveryError(msg, { retryable: true, retryAfterMs: 1_000 });
    }
    throw new DeliveryError(msg, { retryable: false });
  },
});
