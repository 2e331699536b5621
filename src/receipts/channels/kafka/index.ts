/**
 * `kafka` (kafkajs): an idempotent producer (`idempotent: true`, one request in flight) sending with `acks: -1`
 * (all in-sync replicas) to `mq-topic` (default `topic`), key = the task id, value = the CloudEvent (structured
 * mode), header `content-type`; delivered = the broker's acknowledgement, `<partition>:<offset>` becomes
 * `mq_message_id`. Settings: `brokers` (`host:9092,host2:9092`), `topic`, `client_id`, `ssl`, `sasl_mechanism`
 * (`plain`, `scram-sha-256`, `scram-sha-512`), `username`, `password`, `timeout_ms`.
 * No Kafka broker runs on the development machines: tests cover everything up to the network (docs/channels.md).
 */
import { Kafka, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import { CLOUDEVENTS_JSON } from '../../message.js';
import { LazyConnection, withAbort } from '../abort.js';
import {
  bool,
  type Channel,
  type ChannelSettings,
  type ChannelType,
  DeliveryError,
  str,
  toDeliveryError,
} from '../types.js';

/** The kafkajs client configuration for a channel's settings (exported for tests). */
export function kafkaConfigOf(s: ChannelSettings, clientId: string): KafkaConfig {
  const brokers = str(s, 'brokers')!
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const mech = str(s, 'sasl_mechanism');
  const config: KafkaConfig = {
    clientId: str(s, 'client_id') ?? clientId,
    brokers,
    ssl: bool(s, 'ssl', false),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 0 }, // the dispatcher retries, with backoff, under the same message id
    logLevel: 0,
  };
  if (mech) {
    config.sasl = {
      mechanism: mech as 'plain',
      username: str(s, 'username') ?? '',
      password: str(s, 'password') ?? '',
    } as SASLOptions;
  }
  return config;
}

/** The record a receipt becomes (exported for tests). */
export function kafkaRecordOf(message: { id: string; type: string; subject: string }, body: string) {
  return {
    key: message.subject,
    value: body,
    headers: { 'content-type': CLOUDEVENTS_JSON, ce_id: message.id, ce_type: message.type },
  };
}

export const kafkaChannelType: ChannelType = {
  type: 'kafka',
  keys: ['brokers', 'topic', 'client_id', 'ssl', 'sasl_mechanism', 'username', 'password', 'timeout_ms'],
  secretKeys: ['password'],
  required: ['brokers'],
  validate(s) {
    const mech = str(s, 'sasl_mechanism');
    if (mech !== undefined && !['plain', 'scram-sha-256', 'scram-sha-512'].includes(mech)) {
      throw new Error('sasl_mechanism must be plain, scram-sha-256 or scram-sha-512');
    }
  },
  create(s, ctx): Channel {
    const topic = str(s, 'topic');
    const kafka = new Kafka(kafkaConfigOf(s, `lakecast-${ctx.node}`));
    const conn = new LazyConnection<Producer>(
      async () => {
        const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        await p.connect();
        return p;
      },
      async (p) => {
        await p.disconnect().catch(() => {});
      },
    );
    return {
      type: 'kafka',
      async send(message, target, { signal }) {
        const t = target.topic ?? topic;
        if (!t) throw new DeliveryError('kafka: no mq-topic and no channel topic', { retryable: false });
        try {
          const p = await withAbort(conn.get(), signal);
          const meta = await withAbort(
            p.send({ topic: t, acks: -1, messages: [kafkaRecordOf(message, JSON.stringify(message))] }),
            signal,
          );
          const m = meta[0];
          return m ? { brokerMessageId: `${m.partition}:${m.baseOffset ?? m.offset ?? ''}` } : {};
        } catch (err) {
          conn.reset();
          throw toDeliveryError(err);
        }
      },
      close: () => conn.close(),
    };
  },
};
