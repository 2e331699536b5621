import { describe, expect, it } from 'vitest';
import type { ColumnMeta } from '../../../src/shared/index.js';
import { batchEncoder, csvField, encodeCsv, encodeNdjson } from '../../../src/tasks/encode.js';

const col = (name: string, type = 'VARCHAR') => ({ name, type }) as unknown as ColumnMeta;

async function text(gen: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const s of gen) out += s;
  return out;
}

async function* batches(...bs: unknown[][][]) {
  for (const b of bs) yield b as never;
}

describe('result file encoders', () => {
  it('csvField - RFC 4180 quoting; NULL empty, the empty string quoted, numbers never quoted', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' spaced ')).toBe(' spaced ');
    expect(csvField(0)).toBe('0');
    expect(csvField(-1.5e-7)).toBe('-1.5e-7');
    expect(csvField(1 / 3)).toBe('0.3333333333333333');
    expect(csvField(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(csvField(Number.NaN)).toBe('NaN');
    expect(csvField(2n ** 70n)).toBe('1180591620717411303424');
    expect(csvField(true)).toBe('true');
    expect(csvField(new Uint8Array([0, 255, 62]))).toBe('AP8+');
    expect(csvField(new Uint8Array([]))).toBe('""');
  });

  it('CSV - a header row, CRLF line ends, one line per row across batches', async () => {
    const out = await text(
      encodeCsv([col('id', 'INTEGER'), col('name'), col('a,b')], batches([[1, 'x', null]], [[2n, '', 'q"']])),
    );
    expect(out).toBe('id,name,"a,b"\r\n1,x,\r\n2,"","q"""\r\n');
    expect(batchEncoder('csv', [col('n')]).batch([])).toBe('');
  });

  it('NDJSON - one object per line; big integers and non-finite floats as strings, BLOBs base64, nested JSON', async () => {
    const cols = [
      col('a', 'BIGINT'),
      col('b', 'DOUBLE'),
      col('c', 'BLOB'),
      col('d', 'JSON'),
      col('a', 'VARCHAR'),
    ];
    const out = await text(
      encodeNdjson(
        cols,
        batches(
          [[2n ** 60n, Number.NaN, new Uint8Array([1]), '{"k":[1,2]}', null]],
          [[5n, 1.5, null, null, 'x']],
        ),
      ),
    );
    expect(out.split('\n')).toEqual([
      '{"a":"1152921504606846976","b":"NaN","c":"AQ==","d":{"k":[1,2]},"a_2":null}',
      '{"a":5,"b":1.5,"c":null,"d":null,"a_2":"x"}',
      '',
    ]);
  });
});
