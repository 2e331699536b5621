/**
 * `nats`: with `jetstream=true` (default) a JetStream publish to `mq-topic` (default `subject`) with header
 * `Nats-Msg-Id` = the message id, so the stream drops a retried duplicate; delivered = the PubAck, whose stream
 * sequence becomes `mq_message_id`. With `jetstream=false` a core NATS publish confirmed by a flush (the server
 * has it; no persistence). Settings: `url` (`nats://host:4222`, several comma-separated), `subject`,
 * `jetstream`, `user`, `password`, `token`, `timeout_ms`.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { CLOUDEVENTS_JSON } from '../../message.js';
import { LazyConnection, withAbort } from '../abort.js';
import { bool, type Channel, type ChannelType, DeliveryError, str, toDeliveryError } from '../types.js';

export const natsChannelType: ChannelType = {
  type: 'nats',
  keys: ['url', 'subject', 'jetstream', 'user', 'password', 'token', 'timeout_ms'],
  secretKeys: ['password', 'token'],
  required: ['url'],
  endpointKey: 'url',
  create(s, ctx): Channel {
    const servers = str(s, 'url')!
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const subject = str(s, 'subject');
    const useJs = bool(s, 'jetstream', true);
    const conn = new LazyConnection<NatsConnection>(
      async (onLost) => {
        const nc = await connect({
          servers,
          name: `lakecast-${ctx.name}`,
          user: str(s, 'user'),
          pass: str(s, 'password'),
          token: str(s, 'token'),
          timeout: 5_000,
          maxReconnectAttempts: 0,
        });
        void nc.closed().then(onLost);
        return nc;
      },
      async (nc) => {
        await nc.close().catch(() => {});
      },
    );
    return {
      type: 'nats',
      async send(message, target, { signal }) {
        const subj = target.topic ?? subject;
        if (!subj) throw new DeliveryError('nats: no mq-topic and no channel subject', { retryable: false });
        const body = JSON.stringify(message);
        try {
          const nc = await withAbort(conn.get(), signal);
          const h = headers();
          h.set('Content-Type', CLOUDEVENTS_JSON);
          h.set('ce-id', message.id);
          h.set('ce-type', message.type);
          if (useJs) {
            const ack = await withAbort(
              jetstream(nc).publish(subj, body, { msgID: message.id, headers: h, timeout: 10_000 }),
              signal,
            );
            return { brokerMessageId: String(ack.seq) };
          }
          nc.publish(subj, body, { headers: h });
          await withAbort(nc.flush(), signal);
          return {};
        } catch (err) {
          const e = err as { message?: string };
          // No stream captures the subject: retry (an operator may create it), with the reason.
          // (nats.js reports a JetStream publish nobody answers as "jetstream is not enabled").
          if (/no responders|jetstream is not enabled/i.test(e?.message ?? '')) {
            throw new DeliveryError(
              `nats: no JetStream stream for subject ${subj} (or JetStream is disabled on the server)`,
              { retryable: true },
            );
          }
          conn.reset();
          throw toDeliveryError(err);
        }
      },
      close: () => conn.close(),
    };
  },
};
