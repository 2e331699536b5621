/**
 * JSON schemas of the `/v1/hub` routes (validation + OpenAPI through @fastify/swagger). Constraints the hub
 * itself checks with a specific error code (names, shard count, enums) are only described here, so HTTP and
 * in-process callers get the same codes.
 */

const name = {
  type: 'string',
  maxLength: 200,
  description: 'a letter, then letters, digits or _ (max 64); else LC_HUB_INVALID_NAME',
} as const;

export const projectParams = {
  type: 'object',
  required: ['project'],
  properties: { project: name },
} as const;

export const topicParams = {
  type: 'object',
  required: ['project', 'topic'],
  properties: { project: name, topic: name },
} as const;

export const shardParams = {
  type: 'object',
  required: ['project', 'topic', 'shard'],
  properties: { project: name, topic: name, shard: { type: 'integer' } },
} as const;

export const subscriptionParams = {
  type: 'object',
  required: ['project', 'topic', 'subscription'],
  properties: { project: name, topic: name, subscription: { type: 'string', maxLength: 64 } },
} as const;

export const createProjectBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, comment: { type: 'string', maxLength: 1024 } },
} as const;

const fieldSpec = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name,
    type: { type: 'string', description: 'BIGINT, DOUBLE, BOOLEAN, STRING, TIMESTAMP or DECIMAL' },
    nullable: { type: 'boolean' },
  },
} as const;

export const createTopicBody = {
  type: 'object',
  required: ['name', 'shardCount', 'lifecycleDays', 'recordType'],
  additionalProperties: false,
  properties: {
    name,
    shardCount: { type: 'integer', description: '1..256' },
    lifecycleDays: { type: 'integer', description: '1..7300' },
    recordType: { type: 'string', description: 'TUPLE or BLOB' },
    schema: { type: 'array', items: fieldSpec, description: 'TUPLE only: 1..1024 fields' },
    comment: { type: 'string', maxLength: 1024 },
  },
} as const;

export const updateTopicBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    shardCount: { type: 'integer', description: 'only raised' },
    lifecycleDays: { type: 'integer', description: '1..7300' },
    comment: { type: 'string', maxLength: 1024 },
  },
} as const;

/** One record on the wire. BLOB data is base64; TUPLE data an array (schema order) or an object. */
export const recordInput = {
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: {
    // No type here on purpose: fastify's Ajv coerces types, and ['x'] would turn into 'x' under anyOf.
    data: { description: 'BLOB: base64 string; TUPLE: array in schema order or object keyed by field' },
    partitionKey: { type: 'string' },
    shardId: { type: 'integer' },
    attributes: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export const appendBody = {
  type: 'object',
  required: ['records'],
  additionalProperties: false,
  properties: { records: { type: 'array', items: recordInput } },
} as const;

export const cursorBody = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: {
      type: 'string',
      description: 'OLDEST, LATEST, SYSTEM_TIME (parameter: ms) or SEQUENCE (parameter)',
    },
    parameter: { type: 'integer' },
  },
} as const;

export const readQuery = {
  type: 'object',
  required: ['cursor'],
  additionalProperties: false,
  properties: {
    cursor: { type: 'string', minLength: 1, maxLength: 64 },
    limit: { type: 'integer', description: '1..1000, default 1000' },
    waitMs: { type: 'integer', description: 'long poll, 0..30000 ms, default 0' },
  },
} as const;

export const createSubscriptionBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, comment: { type: 'string', maxLength: 1024 } },
} as const;

export const commitBody = {
  type: 'object',
  required: ['offsets'],
  additionalProperties: false,
  properties: {
    offsets: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        required: ['shardId', 'nextSequence'],
        additionalProperties: false,
        properties: { shardId: { type: 'integer' }, nextSequence: { type: 'integer' } },
      },
    },
    consumerId: { type: 'string', minLength: 1, maxLength: 128 },
    generation: { type: 'integer' },
  },
} as const;

export const joinBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    consumerId: { type: 'string', minLength: 1, maxLength: 128 },
    sessionTimeoutMs: { type: 'integer', description: '1000..300000, default 30000' },
    strategy: { type: 'string', description: 'range (default) or roundrobin' },
  },
} as const;

export const consumerBody = {
  type: 'object',
  required: ['consumerId'],
  additionalProperties: false,
  properties: { consumerId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** Lakecast's error body (rendered by the composition root's error handler). */
export const errorResponse = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        errno: { type: 'integer' },
        sqlState: { type: 'string' },
      },
    },
  },
} as const;
