/**
 * `redis` (ioredis): `mode=stream` (default) XADDs the CloudEvent to the stream `mq-topic` (default `stream`)
 * as fields `id`, `type`, `subject`, `event` (the JSON); delivered = the XADD reply, whose entry id becomes
 * `mq_message_id`. `maxlen` trims approximately. `mode=pubsub` PUBLISHes the JSON instead: confirmed by the server
 * only (subscribers that are not listening miss it — Redis Pub/Sub keeps nothing). Settings: `url`
 * (`redis://:password@host:6379/0`), `stream`, `mode`, `maxlen`, `timeout_ms`.
 */
import { Redis } from 'ioredis';
import { LazyConnection, withAbort } from '../abort.js';
import { type Channel, type ChannelType, DeliveryError, num, str, toDeliveryError } from '../types.js';

export const redisChannelType: ChannelType = {
  type: 'redis',
  keys: ['url', 'stream', 'mode', 'maxlen', 'timeout_ms'],
  secretKeys: [],
  required: ['url'],
  endpointKey: 'url',
  urlSchemes: ['redis:', 'rediss:'],
  validate(s) {
    const mode = str(s, 'mode');
    if (mode !== undefined && mode !== 'stream' && mode !== 'pubsub')
      throw new Error("mode must be 'stream' or 'pubsub'");
  },
  create(s, ctx): Channel {
    const url = str(s, 'url')!;
    const stream = str(s, 'stream');
    const pubsub = str(s, 'mode') === 'pubsub';
    const maxlen = num(s, 'maxlen');
    const conn = new LazyConnection<Redis>(
      async (onLost) => {
        const r = new Redis(url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
          connectTimeout: 5_000,
          connectionName: `lakecast-${ctx.name}`,
        });
        r.on('error', () => {});
        r.on('end', onLost);
        await r.connect();
        return r;
      },
      async (r) => {
        r.disconnect();
      },
    );
    return {
      type: 'redis',
      async send(message, target, { signal }) {
        const key = target.topic ?? stream;
        if (!key) throw new DeliveryError('redis: no mq-topic and no channel stream', { retryable: false });
        const body = JSON.stringify(message);
        try {
          const r = await withAbort(conn.get(), signal);
          if (pubsub) {
            await withAbort(r.publish(key, body), signal);
            return {};
          }
          const args: (string | number)[] = [key];
          if (maxlen !== undefined) args.push('MAXLEN', '~', maxlen);
          args.push('*', 'id', message.id, 'type', message.type, 'subject', message.subject, 'event', body);
          const id = await withAbort(r.call('XADD', ...args) as Promise<string>, signal);
          return { brokerMessageId: String(id) };
        } catch (err) {
          conn.reset();
          throw toDeliveryError(err);
        }
      },
      close: () => conn.close(),
    };
  },
};
