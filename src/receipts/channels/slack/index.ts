/**
 * `slack`: an incoming webhook. Body `{text, blocks:[section mrkdwn]}`; Slack answers 200 `ok`, 429 with
 * Retry-After when over its limit (about 1 message per second per webhook, applied here too).
 * Settings: `url` (a secret), `timeout_ms`, `rate_per_minute`, `rate_per_second`.
 */
import { receiptSummary } from '../../message.js';
import { postBody } from '../http.js';
import { limiterFrom } from '../limits.js';
import { type Channel, type ChannelType, str } from '../types.js';

export const slackChannelType: ChannelType = {
  type: 'slack',
  keys: ['url', 'timeout_ms', 'rate_per_minute', 'rate_per_second'],
  secretKeys: ['url'],
  required: ['url'],
  create(s): Channel {
    const url = str(s, 'url')!;
    return {
      type: 'slack',
      rateLimit: limiterFrom(s, [[1, 1_000]]),
      async send(message, _target, { signal }) {
        const sum = receiptSummary(message);
        const mrkdwn = [
          `*${sum.title}*`,
          ...sum.lines.map((l) => `• ${l}`),
          ...(sum.link ? [`• result: <${sum.link}|${sum.link.split('/').pop()}>`] : []),
        ].join('\n');
        const body = JSON.stringify({
          text: sum.title,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }],
        });
        await postBody(url, body, { 'content-type': 'application/json' }, signal);
        return {};
      },
      async close() {},
    };
  },
};
