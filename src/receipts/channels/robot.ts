/**
 * A chat robot (DingTalk, Feishu, WeCom, Slack): one JSON POST per receipt to the robot's URL (a secret: it
 * carries the robot's token), an optional signing `secret`, default rate limits queued (never dropped), and
 * the robot's own answer read for its error code. Settings: `url`, [`secret`], `timeout_ms`, `rate_per_minute`,
 * `rate_per_second`.
 */
import type { ReceiptMessage } from '../message.js';
import { jsonOf, postBody } from './http.js';
import { limiterFrom } from './limits.js';
import { type Channel, type ChannelType, DeliveryError, str } from './types.js';

export interface RobotSpec {
  readonly type: string;
  /** Whether the robot takes a signing `secret` setting. */
  readonly signed: boolean;
  /** Default rate limits, `[messages, per milliseconds]`. */
  readonly limits: readonly (readonly [number, number])[];
  /** The URL to POST to and the JSON body, for one receipt. */
  request(url: string, secret: string | undefined, message: ReceiptMessage): { url: string; body: unknown };
  /** Reads the robot's answer (the response text); throws a DeliveryError when it says "not delivered". */
  check?(text: string): void;
}

export function robotChannelType(spec: RobotSpec): ChannelType {
  return {
    type: spec.type,
    keys: ['url', ...(spec.signed ? ['secret'] : []), 'timeout_ms', 'rate_per_minute', 'rate_per_second'],
    secretKeys: spec.signed ? ['secret', 'url'] : ['url'],
    required: ['url'],
    urlSchemes: ['http:', 'https:'],
    create(s): Channel {
      const url = str(s, 'url')!;
      const secret = spec.signed ? str(s, 'secret') : undefined;
      return {
        type: spec.type,
        rateLimit: limiterFrom(s, spec.limits),
        async send(message, _target, { signal }) {
          const req = spec.request(url, secret, message);
          const body = JSON.stringify(req.body);
          const { text } = await postBody(req.url, body, { 'content-type': 'application/json' }, signal);
          spec.check?.(text);
          return {};
        },
        async close() {},
      };
    },
  };
}

/**
 * The answer of DingTalk and WeCom: `{errcode, errmsg}` with 0 delivered; `tooFast` (the robot's frequency
 * limit) retries after a minute, -1 (busy) retries, others fail.
 */
export function checkErrcode(robot: string, tooFast: number): (text: string) => void {
  return (text) => {
    const r = jsonOf(text);
    const code = Number(r.errcode ?? 0);
    if (code === 0) return;
    const msg = `${robot} errcode ${code}: ${String(r.errmsg ?? '').slice(0, 200)}`;
    if (code === tooFast) throw new DeliveryError(msg, { retryable: true, retryAfterMs: 60_000 });
    throw new DeliveryError(msg, { retryable: code === -1 });
  };
}
