/**
 * `slack`: an incoming webhook. Body `{text, blocks:[section mrkdwn]}`; Slack answers 200 `ok`, 429 with
 * Retry-After when over its limit (about 1 message per second per webhook, applied here too).
 * Settings: `url` (a secret), `timeout_ms`, `rate_per_minute`, `rate_per_second`.
 */
import { receiptSummary } from '../../message.js';
import { robotChannelType } from '../robot.js';

export const slackChannelType = robotChannelType({
  type: 'slack',
  signed: false,
  limits: [[1, 1_000]],
  request(url, _secret, message) {
    const sum = receiptSummary(message);
    const mrkdwn = [
      `*${sum.title}*`,
      ...sum.lines.map((l) => `• ${l}`),
      ...(sum.link ? [`• result: <${sum.link}|${sum.link.split('/').pop()}>`] : []),
    ].join('\n');
    return {
      url,
      body: { text: sum.title, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }] },
    };
  },
});
