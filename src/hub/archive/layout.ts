/**
 * The archive's lake layout: partition folders, file names, the external table's columns, and the SQL that
 * turns a staged NDJSON batch into a Parquet file. Pure functions, no I/O.
 */
import type { ColumnDefinition } from '../../catalog/index.js';
import { hubError } from '../errors.js';
import type { FieldSpec, FieldType, HubRecord, RecordType, TopicInfo } from '../types.js';

/** Columns every archive table has after the topic's own fields (before the partition columns). */
export const META_COLUMNS: readonly ColumnDefinition[] = Object.freeze([
  { name: 'shard_id', type: 'INT', comment: 'hub shard' },
  { name: 'sequence', type: 'BIGINT', comment: 'record sequence in its shard' },
  { name: 'system_time', type: 'TIMESTAMP', comment: 'hub append time (UTC)' },
  { name: 'partition_key', type: 'STRING' },
  { name: 'attributes', type: 'STRING', comment: 'record attributes as a JSON object' },
]);

/** Hive partition columns: `dt=YYYY-MM-DD/hh=HH` from the record's systemTime in UTC. */
export const PARTITION_COLUMNS: readonly ColumnDefinition[] = Object.freeze([
  { name: 'dt', type: 'DATE' },
  { name: 'hh', type: 'INT' },
]);

/**
 * Table column type of a TUPLE field. DECIMAL is kept as its exact decimal text (STRING): a hub DECIMAL has
 * up to 38 digits on each side of the point, more than any SQL DECIMAL(38, s) holds.
 */
export function columnType(type: FieldType): string {
  return type === 'DECIMAL' ? 'STRING' : type;
}

/** The external table's data columns for a topic (fields, or `data BLOB`, then {@link META_COLUMNS}). */
export function tableColumns(topic: Pick<TopicInfo, 'recordType' | 'schema'>): ColumnDefinition[] {
  const fields: ColumnDefinition[] =
    topic.recordType === 'BLOB'
      ? [{ name: 'data', type: 'BLOB' }]
      : (topic.schema ?? []).map((f) => ({ name: f.name, type: columnType(f.type) }));
  const reserved = new Set([...META_COLUMNS, ...PARTITION_COLUMNS].map((c) => c.name));
  for (const f of fields)
    if (reserved.has(f.name.toLowerCase()))
      throw hubError(
        'HUB_BAD_REQUEST',
        `topic field '${f.name}' collides with the archive column of that name (reserved: ${[...reserved].join(', ')})`,
      );
  return [...fields, ...META_COLUMNS];
}

/** `dt=YYYY-MM-DD/hh=HH` of a systemTime (ms, UTC). */
export function partitionOf(systemTime: number): string {
  const iso = new Date(systemTime).toISOString();
  return `dt=${iso.slice(0, 10)}/hh=${iso.slice(11, 13)}`;
}

/** Double-quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Single-quoted SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const PART_FILE = /^part-(\d+)-(\d+)-(\d+)\.parquet$/;

/** `part-<shard>-<firstSeq>-<lastSeq>.parquet`. */
export function partFileName(shardId: number, firstSeq: number, lastSeq: number): string {
  return `part-${shardId}-${firstSeq}-${lastSeq}.parquet`;
}

/** The temporary name a part file is written under before the rename (hidden from table readers). */
export function tmpFileName(shardId: number, firstSeq: number, lastSeq: number): string {
  return `.${partFileName(shardId, firstSeq, lastSeq)}.tmp`;
}

/** Parses a part file name; null for anything else. */
export function parsePartFile(name: string): { shardId: number; firstSeq: number; lastSeq: number } | null {
  const m = PART_FILE.exec(name);
  return m ? { shardId: Number(m[1]), firstSeq: Number(m[2]), lastSeq: Number(m[3]) } : null;
}

/** One NDJSON staging line for a record: every value as text (exact), cast back in {@link copySql}. */
export function stageLine(record: HubRecord, recordType: RecordType, fields: readonly FieldSpec[]): string {
  const line: Record<string, unknown> = {
    s: record.shardId,
    q: record.sequence,
    t: record.systemTime,
    k: record.partitionKey ?? null,
    a: record.attributes ? JSON.stringify(record.attributes) : null,
  };
  if (recordType === 'BLOB') {
    const d = record.data as Uint8Array;
    line.b = Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64');
  } else {
    const data = record.data as { readonly [f: string]: string | number | boolean | null };
    line.v = fields.map((f) => {
      const v = data[f.name];
      return v === null || v === undefined ? null : String(v);
    });
  }
  return `${JSON.stringify(line)}\n`;
}

function castField(f: FieldSpec, i: number): string {
  const v = `v[${i + 1}]`;
  switch (f.type) {
    case 'TIMESTAMP':
      return `make_timestamp(CAST(${v} AS BIGINT))`;
    case 'DECIMAL':
    case 'STRING':
      return v;
    default:
      return `CAST(${v} AS ${f.type})`;
  }
}

/** COPY of one staged NDJSON file into a Parquet file (rows in sequence order). Trusted SQL for `exec`. */
export function copySql(
  stagingFile: string,
  target: string,
  recordType: RecordType,
  fields: readonly FieldSpec[],
): string {
  const data =
    recordType === 'BLOB'
      ? ['from_base64(b) AS "data"']
      : fields.map((f, i) => `${castField(f, i)} AS ${ident(f.name)}`);
  const select = [
    ...data,
    'CAST(s AS INTEGER) AS shard_id',
    'q AS "sequence"',
    'epoch_ms(t) AS system_time',
    'k AS partition_key',
    'a AS "attributes"',
  ];
  const columns = `{s: 'BIGINT', q: 'BIGINT', t: 'BIGINT', k: 'VARCHAR', a: 'VARCHAR', ${
    recordType === 'BLOB' ? "b: 'VARCHAR'" : "v: 'VARCHAR[]'"
  }}`;
  const reader = `read_json(${literal(stagingFile)}, format = 'newline_delimited', columns = ${columns})`;
  return `COPY (SELECT ${select.join(', ')} FROM ${reader} ORDER BY q) TO ${literal(target)} (FORMAT parquet)`;
}
