import type { ReceiptMessage } from '../message.js';
import type { RateLimiter } from '../rate-limit.js';

/** A setting value as written in config or `WITH (key='value', …)`. */
export type SettingValue = string | number | boolean;
export type ChannelSettings = Readonly<Record<string, SettingValue>>;

/** Where one receipt goes inside a channel, from the task's hints (none of it secret). */
export interface ReceiptTarget {
  /** `mq-topic`: exchange routing key, MQTT topic, NATS subject, Redis stream/channel, Kafka topic. */
  readonly topic?: string;
  /** `mq-queue`: AMQP queue (default exchange). */
  readonly queue?: string;
  /** `mq-producer-id`: sent along (AMQP app id, Kafka client id tag) for the consumer's information. */
  readonly producerId?: string;
  /** `mq-endpoint`: replaces the channel's URL; only hosts on the admin allowlist. */
  readonly endpoint?: string;
}

/** What a confirmed delivery returns. */
export interface SendResult {
  /** The broker's id of the message where it gives one (JetStream sequence, Redis entry id, Kafka offset). */
  readonly brokerMessageId?: string;
}

/** Per-send options. */
export interface SendOptions {
  /** Aborted at the channel's timeout or at shutdown. */
  readonly signal: AbortSignal;
}

/**
 * A delivery channel: `send` resolves only once the receiver confirmed (2xx, publisher confirm, PUBACK,
 * JetStream ack, XADD reply, Kafka acks=all); it throws a {@link DeliveryError} otherwise.
 */
export interface Channel {
  readonly type: string;
  send(message: ReceiptMessage, target: ReceiptTarget, options: SendOptions): Promise<SendResult>;
  /** Closes connections. Idempotent. */
  close(): Promise<void>;
  /** Present on channels with a receiver-side rate limit (robots). */
  readonly rateLimit?: RateLimiter;
}

/** Why a send failed: retry (with an optional earliest time), or give up, or disable the channel (410 Gone). */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly disableChannel: boolean;
  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; disableChannel?: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.disableChannel = options.disableChannel ?? false;
  }
}

/** Anything thrown by a client → a DeliveryError (network errors and timeouts are retryable). */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { name?: string; message?: string; code?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new DeliveryError('timed out waiting for the receiver', { retryable: true, cause: err });
  }
  const text = [e?.code, e?.message].filter(Boolean).join(': ') || String(err);
  return new DeliveryError(text.slice(0, 500), { retryable: true, cause: err });
}

/** One channel type: its settings' rules and its factory. */
export interface ChannelType {
  readonly type: string;
  /** Settings that are secrets: stored apart, never shown, never logged. */
  readonly secretKeys: readonly string[];
  /** Settings the type knows (others are refused). */
  readonly keys: readonly string[];
  /** Settings that must be present. */
  readonly required: readonly string[];
  /** URL schemes (`https:`) its `url` setting may have; absent: any URL. */
  readonly urlSchemes?: readonly string[];
  /** The setting `mq-endpoint` replaces (a URL), when the type accepts one. */
  readonly endpointKey?: string;
  /** Type-specific validation (throws a message). */
  validate?(settings: ChannelSettings): void;
  create(settings: ChannelSettings, ctx: ChannelContext): Channel;
}

/** What a channel factory gets besides its settings. */
export interface ChannelContext {
  readonly name: string;
  readonly clock: () => number;
  /** Node code of this server (client ids). */
  readonly node: string;
}

/** Reads a string setting. */
export function str(settings: ChannelSettings, key: string): string | undefined {
  const v = settings[key];
  return v === undefined ? undefined : String(v);
}

/** Reads a numeric setting. */
export function num(settings: ChannelSettings, key: string): number | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads a boolean setting (`true`/`false`/`1`/`0`). */
export function bool(settings: ChannelSettings, key: string, dflt: boolean): boolean {
  const v = settings[key];
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  return ['true', '1', 'yes', 'on'].includes(String(v).toLowerCase());
}
