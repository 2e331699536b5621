import { amqpChannelType } from './amqp/index.js';
import { dingtalkChannelType } from './dingtalk/index.js';
import { feishuChannelType } from './feishu/index.js';
import { kafkaChannelType } from './kafka/index.js';
import { mqttChannelType } from './mqtt/index.js';
import { natsChannelType } from './nats/index.js';
import { redisChannelType } from './redis/index.js';
import { slackChannelType } from './slack/index.js';
import type { ChannelType } from './types.js';
import { webhookChannelType } from './webhook/index.js';
import { wecomChannelType } from './wecom/index.js';

/** Every channel type, by name. */
export const CHANNEL_TYPES: ReadonlyMap<string, ChannelType> = new Map(
  [
    webhookChannelType,
    dingtalkChannelType,
    feishuChannelType,
    wecomChannelType,
    slackChannelType,
    amqpChannelType,
    mqttChannelType,
    natsChannelType,
    redisChannelType,
    kafkaChannelType,
  ].map((t) => [t.type, t]),
);
