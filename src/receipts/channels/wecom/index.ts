/**
 * `wecom` (WeCom / 企业微信 group robot): body `{msgtype:'markdown', markdown:{content}}` to the robot URL (its
 * `key` is the credential: the URL is a secret). `errcode` 0 is delivered, 45009 (frequency limit) and -1 retry.
 * Limit 20/min per robot: queued. Settings: `url`, `timeout_ms`, `rate_per_minute`.
 */
import { receiptMarkdown } from '../../message.js';
import { checkErrcode, robotChannelType } from '../robot.js';

export const wecomChannelType = robotChannelType({
  type: 'wecom',
  signed: false,
  limits: [[20, 60_000]],
  request(url, _secret, message) {
    return { url, body: { msgtype: 'markdown', markdown: { content: receiptMarkdown(message).text } } };
  },
  check: checkErrcode('WeCom', 45009),
});
