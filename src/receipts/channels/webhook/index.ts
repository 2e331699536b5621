/**
 * `webhook`: HTTP POST of the CloudEvent in structured JSON mode with Standard Webhooks headers. Success only on
 * 2xx; 410 disables the channel; 408/429/5xx retry (Retry-After honoured).
 * Settings: `url` (required), `secret` (`whsec_…`, optional: unsigned without), `timeout_ms`,
 * `rate_per_minute`, `rate_per_second`.
 */
import { CLOUDEVENTS_JSON } from '../../message.js';
import { postBody } from '../http.js';
import { limiterFrom } from '../limits.js';
import { type Channel, type ChannelSettings, type ChannelType, str } from '../types.js';
import { signStandardWebhook } from './sign.js';

export { signStandardWebhook, standardWebhookKey, verifyStandardWebhook } from './sign.js';

export const webhookChannelType: ChannelType = {
  type: 'webhook',
  keys: ['url', 'secret', 'timeout_ms', 'rate_per_minute', 'rate_per_second'],
  secretKeys: ['secret'],
  required: ['url'],
  endpointKey: 'url',
  urlSchemes: ['http:', 'https:'],
  validate(s) {
    const secret = str(s, 'secret');
    if (secret !== undefined && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(secret)) {
      throw new Error("secret must be 'whsec_' followed by a base64 key (Standard Webhooks)");
    }
  },
  create(s: ChannelSettings): Channel {
    const url = str(s, 'url')!;
    const secret = str(s, 'secret');
    return {
      type: 'webhook',
      rateLimit: limiterFrom(s, []),
      async send(message, target, { signal }) {
        const body = JSON.stringify(message);
        const ts = Math.floor(Date.now() / 1000);
        const headers: Record<string, string> = {
          'content-type': CLOUDEVENTS_JSON,
          'user-agent': 'Lakecast-Receipts/1',
          'webhook-id': message.id,
          'webhook-timestamp': String(ts),
        };
        if (secret) headers['webhook-signature'] = signStandardWebhook(secret, message.id, ts, body);
        await postBody(target.endpoint ?? url, body, headers, signal);
        return {};
      },
      async close() {},
    };
  },
};
