import { HubErrors, hubError } from '../errors.js';
import type { HubRecord, RecordError, RecordInput, TupleValue } from '../types.js';
import { HUB_LIMITS } from '../types.js';
import type { TopicMeta } from './metadata.js';
import { shardForKey } from './partition.js';
import { normalizeTuple } from './schema.js';

/** A validated record, ready for a log: data encoded to bytes, routed to a shard. */
export interface EncodedRecord {
  readonly shardId: number;
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  /** JSON text of the attributes, when any. */
  readonly attributes?: string;
  /** Bytes counted against the limits (data + key + attributes). */
  readonly size: number;
}

/** A stored record as a log hands it back (before data decoding). */
export interface StoredRecord {
  readonly sequence: number;
  readonly systemTime: number;
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly attributes?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function recordError(code: keyof typeof HubErrors, message: string): { error: RecordError } {
  return { error: { code: HubErrors[code].code, message } };
}

/**
 * Validates and routes a batch. Returns one entry per input (an {@link EncodedRecord} or a per-record error).
 * Throws request-level errors (batch too large, request too large) before anything is written.
 * `rr` is the topic's round-robin counter for records with neither shardId nor partitionKey.
 */
export function encodeBatch(
  topic: TopicMeta,
  records: readonly RecordInput[],
  rr: { next: number },
): (EncodedRecord | { error: RecordError })[] {
  if (!Array.isArray(records)) throw hubError('HUB_BAD_REQUEST', 'records must be an array');
  if (records.length > HUB_LIMITS.maxBatchRecords) {
    throw hubError(
      'HUB_BATCH_TOO_LARGE',
      `${records.length} records in one batch; the limit is ${HUB_LIMITS.maxBatchRecords}`,
    );
  }
  let total = 0;
  const out = records.map((r) => {
    const e = encodeRecord(topic, r, rr);
    if ('size' in e) total += e.size;
    return e;
  });
  if (total > HUB_LIMITS.maxRequestBytes) {
    throw hubError(
      'HUB_REQUEST_TOO_LARGE',
      `batch of ${total} bytes; the limit is ${HUB_LIMITS.maxRequestBytes}`,
    );
  }
  return out;
}

function encodeRecord(
  topic: TopicMeta,
  r: RecordInput,
  rr: { next: number },
): EncodedRecord | { error: RecordError } {
  if (typeof r !== 'object' || r === null)
    return recordError('HUB_RECORD_INVALID', 'record must be an object');
  let data: Uint8Array;
  if (topic.recordType === 'BLOB') {
    if (!(r.data instanceof Uint8Array)) return recordError('HUB_RECORD_INVALID', 'BLOB data must be bytes');
    data = r.data;
  } else {
    const values = normalizeTuple(topic.schema ?? [], r.data);
    if (!Array.isArray(values)) return recordError('HUB_RECORD_INVALID', (values as { error: string }).error);
    data = encoder.encode(JSON.stringify(values));
  }
  let size = data.byteLength;
  let shardId: number;
  const key = r.partitionKey;
  if (key !== undefined && typeof key !== 'string')
    return recordError('HUB_RECORD_INVALID', 'partitionKey must be a string');
  if (key !== undefined) {
    const kb = Buffer.byteLength(key);
    if (kb > HUB_LIMITS.maxPartitionKeyBytes)
      return recordError('HUB_RECORD_INVALID', 'partitionKey over 1 KiB');
    size += kb;
  }
  if (r.shardId !== undefined) {
    if (!Number.isInteger(r.shardId) || r.shardId < 0 || r.shardId >= topic.shardCount) {
      return recordError(
        'HUB_SHARD_NOT_FOUND',
        `shard ${r.shardId} does not exist (topic has ${topic.shardCount})`,
      );
    }
    shardId = r.shardId;
  } else if (key !== undefined) {
    shardId = shardForKey(key, topic.shardCount);
  } else {
    shardId = rr.next++ % topic.shardCount;
  }
  let attributes: string | undefined;
  if (r.attributes !== undefined) {
    if (typeof r.attributes !== 'object' || r.attributes === null || Array.isArray(r.attributes)) {
      return recordError('HUB_RECORD_INVALID', 'attributes must be an object of strings');
    }
    for (const v of Object.values(r.attributes)) {
      if (typeof v !== 'string') return recordError('HUB_RECORD_INVALID', 'attribute values must be strings');
    }
    if (Object.keys(r.attributes).length > 0) {
      attributes = JSON.stringify(r.attributes);
      const ab = Buffer.byteLength(attributes);
      if (ab > HUB_LIMITS.maxAttributeBytes)
        return recordError('HUB_RECORD_INVALID', 'attributes over 64 KiB');
      size += ab;
    }
  }
  if (size > HUB_LIMITS.maxRecordBytes) {
    return recordError(
      'HUB_RECORD_TOO_LARGE',
      `record of ${size} bytes; the limit is ${HUB_LIMITS.maxRecordBytes}`,
    );
  }
  return {
    shardId,
    data,
    size,
    ...(key !== undefined ? { partitionKey: key } : {}),
    ...(attributes ? { attributes } : {}),
  };
}

/** Turns a stored record into the API shape (decodes TUPLE values into an object keyed by field name). */
export function decodeRecord(topic: TopicMeta, shardId: number, s: StoredRecord): HubRecord {
  let data: HubRecord['data'];
  if (topic.recordType === 'BLOB') {
    data = s.data;
  } else {
    const values = JSON.parse(decoder.decode(s.data)) as TupleValue[];
    const obj: Record<string, TupleValue> = {};
    const schema = topic.schema ?? [];
    for (let i = 0; i < schema.length; i++) obj[schema[i].name] = values[i] ?? null;
    data = obj;
  }
  const rec: {
    shardId: number;
    sequence: number;
    systemTime: number;
    data: HubRecord['data'];
    partitionKey?: string;
    attributes?: Record<string, string>;
  } = { shardId, sequence: s.sequence, systemTime: s.systemTime, data };
  if (s.partitionKey !== undefined) rec.partitionKey = s.partitionKey;
  if (s.attributes !== undefined) rec.attributes = JSON.parse(s.attributes) as Record<string, string>;
  return rec;
}
