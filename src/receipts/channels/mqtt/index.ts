/**
 * `mqtt` (mqtt.js, MQTT 5): QoS 1 publish of the CloudEvent to `mq-topic` (default `topic`); delivered = the
 * broker's PUBACK. Settings: `url` (`mqtt://user:pass@host:1883`), `topic`, `client_id`, `retain`, `timeout_ms`.
 */
import mqtt from 'mqtt';
import { CLOUDEVENTS_JSON } from '../../message.js';
import { LazyConnection, withAbort } from '../abort.js';
import { bool, type Channel, type ChannelType, DeliveryError, str, toDeliveryError } from '../types.js';

export const mqttChannelType: ChannelType = {
  type: 'mqtt',
  keys: ['url', 'topic', 'client_id', 'retain', 'timeout_ms'],
  secretKeys: [],
  required: ['url'],
  endpointKey: 'url',
  urlSchemes: ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:'],
  create(s, ctx): Channel {
    const url = str(s, 'url')!;
    const topic = str(s, 'topic');
    const retain = bool(s, 'retain', false);
    const clientId = str(s, 'client_id') ?? `lakecast-${ctx.node}-${ctx.name}-${process.pid}`;
    const conn = new LazyConnection<mqtt.MqttClient>(
      async (onLost) => {
        const client = await mqtt.connectAsync(url, {
          protocolVersion: 5,
          clientId,
          reconnectPeriod: 0, // reconnect on the next send instead (a send never waits on a dead link)
          connectTimeout: 5_000,
        });
        client.on('error', () => {});
        client.on('close', onLost);
        return client;
      },
      async (c) => {
        await c.endAsync(true).catch(() => {});
      },
    );
    return {
      type: 'mqtt',
      async send(message, target, { signal }) {
        const t = target.topic ?? topic;
        if (!t) throw new DeliveryError('mqtt: no mq-topic and no channel topic', { retryable: false });
        try {
          const client = await withAbort(conn.get(), signal);
          if (!client.connected) {
            conn.reset();
            throw new DeliveryError('mqtt: not connected', { retryable: true });
          }
          await withAbort(
            client.publishAsync(t, JSON.stringify(message), {
              qos: 1,
              retain,
              properties: {
                contentType: CLOUDEVENTS_JSON,
                userProperties: { ce_id: message.id, ce_type: message.type },
              },
            }),
            signal,
          );
        } catch (err) {
          if (!(err instanceof DeliveryError)) conn.reset();
          throw toDeliveryError(err);
        }
        return {};
      },
      close: () => conn.close(),
    };
  },
};
