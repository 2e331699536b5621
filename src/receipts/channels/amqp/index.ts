/**
 * `amqp` (RabbitMQ, amqplib): publishes the CloudEvent (structured mode, `application/cloudevents+json`) on a
 * confirm channel, persistent, `mandatory` so an unroutable message fails instead of vanishing. To an exchange
 * with routing key `mq-topic` (default `routing_key`), or to the queue `mq-queue` (default `queue`) through the
 * default exchange. Delivered = the broker's publisher confirm (ack). Settings: `url` (credentials inside are
 * secret), `exchange`, `routing_key`, `queue`, `timeout_ms`.
 */
import amqp from 'amqplib';
import { CLOUDEVENTS_JSON } from '../../message.js';
import { LazyConnection, withAbort } from '../abort.js';
import { type Channel, type ChannelType, DeliveryError, str, toDeliveryError } from '../types.js';

interface Conn {
  readonly model: amqp.ChannelModel;
  readonly channel: amqp.ConfirmChannel;
  readonly returned: Set<string>;
}

export const amqpChannelType: ChannelType = {
  type: 'amqp',
  keys: ['url', 'exchange', 'routing_key', 'queue', 'timeout_ms'],
  secretKeys: [],
  required: ['url'],
  endpointKey: 'url',
  urlSchemes: ['amqp:', 'amqps:'],
  create(s, ctx): Channel {
    const url = str(s, 'url')!;
    const exchange = str(s, 'exchange') ?? '';
    const routingKey = str(s, 'routing_key');
    const queue = str(s, 'queue');
    const conn = new LazyConnection<Conn>(
      async (onLost) => {
        const model = await amqp.connect(url, {
          clientProperties: { connection_name: `lakecast-${ctx.name}` },
        });
        model.on('error', () => {});
        model.on('close', onLost);
        const channel = await model.createConfirmChannel();
        const returned = new Set<string>();
        channel.on('error', () => {});
        channel.on('close', onLost);
        // basic.return precedes the confirm of an unroutable mandatory message.
        channel.on('return', (msg: amqp.Message) => {
          const id = msg.properties.messageId;
          if (typeof id === 'string') returned.add(id);
        });
        return { model, channel, returned };
      },
      async (c) => {
        await c.model.close().catch(() => {});
      },
    );
    return {
      type: 'amqp',
      async send(message, target, { signal }) {
        const toQueue = target.queue ?? (target.topic === undefined ? queue : undefined);
        const key = toQueue ?? target.topic ?? routingKey;
        if (key === undefined) {
          throw new DeliveryError('amqp: no mq-queue, mq-topic or channel routing_key/queue', {
            retryable: false,
          });
        }
        let c: Conn;
        try {
          c = await withAbort(conn.get(), signal);
        } catch (err) {
          throw toDeliveryError(err);
        }
        const body = Buffer.from(JSON.stringify(message));
        const options: amqp.Options.Publish = {
          persistent: true,
          mandatory: true,
          contentType: CLOUDEVENTS_JSON,
          messageId: message.id,
          type: message.type,
          timestamp: Math.floor(Date.parse(message.time) / 1000),
          appId: target.producerId ?? 'lakecast',
          headers: { ce_id: message.id, ce_type: message.type, ce_subject: message.subject },
        };
        const confirmed = new Promise<void>((resolve, reject) => {
          const cb = (err: unknown) => (err ? reject(err) : resolve());
          if (toQueue !== undefined) c.channel.sendToQueue(toQueue, body, options, cb);
          else c.channel.publish(exchange, key, body, options, cb);
        });
        try {
          await withAbort(confirmed, signal);
        } catch (err) {
          conn.reset();
          throw toDeliveryError(err);
        }
        if (c.returned.delete(message.id)) {
          throw new DeliveryError(
            `amqp: unroutable (no queue bound to ${toQueue !== undefined ? `queue ${toQueue}` : `exchange '${exchange}' key ${key}`})`,
            { retryable: true },
          );
        }
        return {};
      },
      close: () => conn.close(),
    };
  },
};
