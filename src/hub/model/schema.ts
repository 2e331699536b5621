import { hubError } from '../errors.js';
import { type FieldSpec, type FieldType, HUB_LIMITS, type TopicSpec, type TupleValue } from '../types.js';
import { checkName } from './names.js';

const FIELD_TYPES: ReadonlySet<FieldType> = new Set([
  'BIGINT',
  'DOUBLE',
  'BOOLEAN',
  'STRING',
  'TIMESTAMP',
  'DECIMAL',
]);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?\d{1,20}$/;
const DECIMAL_TEXT = /^-?\d{1,38}(\.\d{1,38})?$/;

/** Validates a topic spec (names, shard count, lifecycle, schema) and returns a normalized copy. */
export function validateTopicSpec(
  spec: TopicSpec,
): Required<Omit<TopicSpec, 'schema'>> & { schema?: FieldSpec[] } {
  if (typeof spec !== 'object' || spec === null)
    throw hubError('HUB_BAD_REQUEST', 'topic spec must be an object');
  checkName('topic', spec.name);
  checkShardCount(spec.shardCount);
  checkLifecycle(spec.lifecycleDays);
  if (spec.recordType !== 'TUPLE' && spec.recordType !== 'BLOB') {
    throw hubError(
      'HUB_INVALID_SCHEMA',
      `recordType must be TUPLE or BLOB, got ${JSON.stringify(spec.recordType)}`,
    );
  }
  let schema: FieldSpec[] | undefined;
  if (spec.recordType === 'TUPLE') {
    if (!Array.isArray(spec.schema) || spec.schema.length === 0 || spec.schema.length > 1024) {
      throw hubError('HUB_INVALID_SCHEMA', 'a TUPLE topic needs a schema of 1..1024 fields');
    }
    const seen = new Set<string>();
    schema = spec.schema.map((f) => {
      checkName('field', f?.name);
      if (!FIELD_TYPES.has(f.type)) {
        throw hubError('HUB_INVALID_SCHEMA', `field ${f.name}: unknown type ${JSON.stringify(f.type)}`);
      }
      const lower = f.name.toLowerCase();
      if (seen.has(lower)) throw hubError('HUB_INVALID_SCHEMA', `field ${f.name} declared twice`);
      seen.add(lower);
      return { name: f.name, type: f.type, nullable: f.nullable ?? true };
    });
  } else if (spec.schema !== undefined) {
    throw hubError('HUB_INVALID_SCHEMA', 'a BLOB topic has no schema');
  }
  return {
    name: spec.name,
    shardCount: spec.shardCount,
    lifecycleDays: spec.lifecycleDays,
    recordType: spec.recordType,
    comment: spec.comment ?? '',
    ...(schema ? { schema } : {}),
  };
}

export function checkShardCount(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > HUB_LIMITS.maxShards) {
    throw hubError('HUB_INVALID_SHARD_COUNT', `shardCount must be an integer 1..${HUB_LIMITS.maxShards}`);
  }
  return n;
}

export function checkLifecycle(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > HUB_LIMITS.maxLifecycleDays) {
    throw hubError('HUB_BAD_REQUEST', `lifecycleDays must be an integer 1..${HUB_LIMITS.maxLifecycleDays}`);
  }
  return n;
}

/** Normalizes one value for `field`, or returns an error message. Stored form: see {@link TupleValue}. */
export function normalizeValue(field: FieldSpec, v: unknown): TupleValue | { error: string } {
  if (v === null || v === undefined) {
    return field.nullable === false ? { error: `field ${field.name} is not nullable` } : null;
  }
  const bad = (): { error: string } => ({
    error: `field ${field.name} (${field.type}): invalid value ${JSON.stringify(v)?.slice(0, 60)}`,
  });
  switch (field.type) {
    case 'BIGINT': {
      if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : bad();
      if (typeof v !== 'string' || !INTEGER_TEXT.test(v)) return bad();
      const b = BigInt(v);
      return b < INT64_MIN || b > INT64_MAX ? bad() : b.toString();
    }
    case 'DOUBLE':
      return typeof v === 'number' && Number.isFinite(v) ? v : bad();
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : bad();
    case 'STRING':
      return typeof v === 'string' ? v : bad();
    case 'TIMESTAMP': {
      if (typeof v === 'number') return Number.isSafeInteger(v) ? v : bad();
      if (typeof v !== 'string') return bad();
      const ms = Date.parse(v);
      return Number.isNaN(ms) ? bad() : ms * 1000;
    }
    case 'DECIMAL': {
      if (typeof v === 'number') return Number.isFinite(v) ? String(v) : bad();
      return typeof v === 'string' && DECIMAL_TEXT.test(v) ? v : bad();
    }
  }
}

/**
 * Validates TUPLE data (array in schema order, or object keyed by field name; missing fields are null) and
 * returns the normalized values in schema order, or an error message.
 */
export function normalizeTuple(
  schema: readonly FieldSpec[],
  data: unknown,
): TupleValue[] | { error: string } {
  const out: TupleValue[] = new Array(schema.length);
  if (Array.isArray(data)) {
    if (data.length !== schema.length) {
      return { error: `expected ${schema.length} values in schema order, got ${data.length}` };
    }
    for (let i = 0; i < schema.length; i++) {
      const v = normalizeValue(schema[i], data[i]);
      if (v !== null && typeof v === 'object') return v;
      out[i] = v;
    }
    return out;
  }
  if (typeof data !== 'object' || data === null || data instanceof Uint8Array) {
    return { error: 'TUPLE data must be an array of values or an object keyed by field name' };
  }
  const obj = data as Record<string, unknown>;
  const known = new Set(schema.map((f) => f.name));
  for (const k of Object.keys(obj)) if (!known.has(k)) return { error: `unknown field ${k}` };
  for (let i = 0; i < schema.length; i++) {
    const v = normalizeValue(schema[i], obj[schema[i].name]);
    if (v !== null && typeof v === 'object') return v;
    out[i] = v;
  }
  return out;
}
